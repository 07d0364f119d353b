from services.notifications.models import Base
from shared.migration_env import run

run(Base.metadata, "notifications")
