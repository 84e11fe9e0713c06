from app.ws.core import ConnectionRegistry, normalise_id  # the old path, still working
