"""Extensions, created unbound; `create_app` binds them."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from gachi.core.db import Base, render_migration_type

db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True, render_item=render_migration_type)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
