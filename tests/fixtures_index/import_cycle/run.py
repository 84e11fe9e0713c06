from app.ws.registry import HANDLER_NAMES, normalise_id
from app.ws.handlers import new_registry

print(HANDLER_NAMES, normalise_id(" User-1 "), type(new_registry()).__name__)
