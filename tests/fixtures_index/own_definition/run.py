from netra_backend.app.routes.websocket import describe

print(describe())
