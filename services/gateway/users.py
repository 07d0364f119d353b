"""The people who log in: an admin creates and deactivates them."""
from services.gateway import accounts
from services.gateway.routes import route
from services.gateway.schemas import UserIn, UserOut
from shared.actors import ADMIN
from shared.schemas import PageIn, page_of, shaped


class UserRoutes:
    """API endpoints for user management (mixed into GatewayService)."""

    @route("POST", "/api/v1/users", "Create a login in your association", ADMIN, body=UserIn,
           response=UserOut, status=201, tags=["users"])
    def create_user(self, call):
        with self.db.transaction() as session:
            user = accounts.create_user(session, call.body, call.actor["association_code"])
            return shaped(UserOut(), accounts.user_out(user))

    @route("GET", "/api/v1/users", "Logins of your association", ADMIN, query=PageIn,
           response=UserOut, many=True, tags=["users"])
    def list_users(self, call):
        with self.db.transaction() as session:
            users, total = accounts.list_users(session, call.actor["association_code"],
                                               call.query["limit"], call.query["offset"])
            return page_of(UserOut(), [accounts.user_out(user) for user in users], total)

    @route("POST", "/api/v1/users/<username>/deactivate",
           "Deactivate a login; its tokens stop working at once", ADMIN, response=UserOut,
           tags=["users"])
    def deactivate_user(self, call, username):
        with self.db.transaction() as session:
            user = accounts.deactivate_user(session, username, call.actor["association_code"],
                                            call.actor["username"])
            return shaped(UserOut(), accounts.user_out(user))
