from app.routes import contexts
from app.star_user import context

print([type(item).__name__ for item in contexts("u")], context("u").user_id)
