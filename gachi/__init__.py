"""gachi: the 같이살림 coordination app."""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import BASE_DIR, INSTANCE_DIR, config_from_env
from gachi.core import routing


def create_app(config_class=None):
    app = Flask(
        __name__,
        instance_path=str(INSTANCE_DIR),
        template_folder="../templates",
        static_folder="../static",
    )
    config_class = config_class or config_from_env()
    app.config.from_object(config_class)
    app.config["SECRET_KEY"] = config_class.secret_key()
    if app.config["PROXY_COUNT"]:
        hops = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    _configure_database(app)
    _init_extensions(app)
    routing.register(app)  # before the blueprints: their `<int:…>` ids are bounded
    _register_blueprints(app)

    from gachi.auth import sessions
    from gachi.core import errors_views, security

    errors_views.register(app)
    security.register(app)
    sessions.register(app)

    from gachi import cli, templating

    cli.register(app)
    templating.register(app)
    return app


def _configure_database(app):
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("postgres"):
        if uri.startswith(("postgres://", "postgresql://")):
            uri = "postgresql+psycopg://" + uri.split("://", 1)[1]
        options.setdefault("pool_pre_ping", True)
    elif uri.startswith("sqlite"):
        INSTANCE_DIR.mkdir(exist_ok=True)
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _init_extensions(app):
    from gachi import models  # noqa: F401  (mappers and Alembic see every table)
    from gachi.core.db import configure_sqlite
    from gachi.core.i18n import select_locale
    from gachi.extensions import babel, csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])


def _register_blueprints(app):
    from gachi.auth.views import bp as auth_bp
    from gachi.complexes.views import bp as complexes_bp
    from gachi.coordinators.views import bp as coordinators_bp
    from gachi.districts.views import bp as districts_bp
    from gachi.enterprises.views import bp as enterprises_bp
    from gachi.matching.views import bp as matching_bp
    from gachi.notifications.views import bp as notifications_bp
    from gachi.plans.views import bp as plans_bp
    from gachi.public.views import bp as public_bp

    for blueprint in (public_bp, auth_bp, complexes_bp, coordinators_bp, districts_bp):
        app.register_blueprint(blueprint)
    for blueprint in (enterprises_bp, matching_bp, plans_bp, notifications_bp):
        app.register_blueprint(blueprint)
    from gachi.auth.two_factor_views import bp as two_factor_bp
    from gachi.privacy.views import bp as privacy_bp

    app.register_blueprint(two_factor_bp)
    app.register_blueprint(privacy_bp)
    _register_participation_blueprints(app)


def _register_participation_blueprints(app):
    from gachi.ballots.views import bp as ballots_bp
    from gachi.notices.views import bp as notices_bp
    from gachi.proposals.views import bp as proposals_bp
    from gachi.workshops.views import bp as workshops_bp

    for blueprint in (proposals_bp, ballots_bp, workshops_bp, notices_bp):
        app.register_blueprint(blueprint)
    _register_program_blueprints(app)
    _register_results_blueprints(app)


def _register_program_blueprints(app):
    from gachi.programs.bookings.views import bp as bookings_bp
    from gachi.programs.calendar.views import bp as calendar_bp
    from gachi.programs.feedback.views import bp as feedback_bp
    from gachi.programs.rosters.views import bp as rosters_bp
    from gachi.programs.sessions.views import bp as sessions_bp
    from gachi.programs.views import bp as programs_bp

    for blueprint in (programs_bp, sessions_bp, bookings_bp, rosters_bp, feedback_bp, calendar_bp):
        app.register_blueprint(blueprint)


def _register_results_blueprints(app):
    from gachi.api.views import bp as api_bp
    from gachi.audit.views import bp as audit_bp
    from gachi.bizmodels.views import bp as bizmodels_bp
    from gachi.evaluations.views import bp as evaluations_bp
    from gachi.kpi.views import bp as kpi_bp

    for blueprint in (kpi_bp, evaluations_bp, bizmodels_bp, api_bp, audit_bp):
        app.register_blueprint(blueprint)
