"""The people who log in: an admin creates and deactivates them; each changes their own
password."""
from services.gateway import accounts, auth
from services.gateway.routes import client_address, route
from services.gateway.schemas import PasswordIn, TokenOut, UserIn, UserOut
from services.gateway.views import token_view, user_view
from shared.actors import ADMIN, ANYONE
from shared.schemas import PageIn


class UsersApi:
    """API endpoints for user management (mixed into GatewayService)."""

    @route("POST", "/api/v1/auth/password", "Change your password (a one-time password "
           "before anything else): the token used is logged out and a new one comes back; "
           "a wrong current_password is 422", ANYONE, body=PasswordIn, response=TokenOut,
           tags=["auth"], password_pending=True)
    def change_password(self, call):
        return token_view(auth.change_password(
            self.db, call.request.headers.get("Authorization"), call.body["current_password"],
            call.body["new_password"], client_address(call.request)))

    @route("POST", "/api/v1/users", "Create a login in your association or in a city's or "
           "county's under it (a county's roles in a county; admin, province_staff and "
           "province_auditor in a province's or city's)", ADMIN, body=UserIn,
           response=UserOut, status=201, tags=["users"])
    def create_user(self, call):
        association = accounts.placed(
            call.body, call.actor["association_code"],
            lambda code: self.families.get_association(code, call.actor))
        with self.db.transaction() as session:
            return user_view(accounts.create_user(session, call.body, association))

    @route("GET", "/api/v1/users", "Logins of your association and of those under it", ADMIN,
           query=PageIn,
           response=UserOut, many=True, tags=["users"])
    def list_users(self, call):
        with self.db.transaction() as session:
            return accounts.list_users(session, call.actor["association_code"],
                                       call.query["limit"], call.query["offset"]
                                       ).shaped(user_view)

    @route("POST", "/api/v1/users/<username>/deactivate",
           "Deactivate a login; its tokens stop working at once", ADMIN, response=UserOut,
           tags=["users"])
    def deactivate_user(self, call, username):
        with self.db.transaction() as session:
            user = accounts.deactivate_user(session, username, call.actor["association_code"],
                                            call.actor["username"])
            return user_view(user)
