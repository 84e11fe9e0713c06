from app.agents.supervisor import start
import app.services.compat
import app.services.shadow

print(start("u-1"))
