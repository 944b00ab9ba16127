"""Extensions, created unbound; `create_app` binds them."""

from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from gachi.core.db import Base, render_migration_type

db = SQLAlchemy(model_class=Base)
if TYPE_CHECKING:
    # db.Model is a class Flask-SQLAlchemy builds from Base at run time, which a type
    # checker cannot follow: to it, a model is the Base it is built on.
    Model = Base
else:
    Model = db.Model
migrate = Migrate(compare_type=True, render_as_batch=True, render_item=render_migration_type)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
