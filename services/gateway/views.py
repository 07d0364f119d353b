"""The gateway's own records (logins) as the JSON the world sees."""
from services.gateway.models import User
from services.gateway.schemas import UserOut
from shared.schemas import shaped

USER = UserOut()


def user_view(user: User) -> dict:
    return shaped(USER, {"username": user.username, "role": user.role,
                         "display_name": user.display_name, "active": user.active,
                         "association_code": user.association_code})
