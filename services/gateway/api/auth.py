"""Logging in and out, and who a token belongs to."""
from werkzeug.wrappers import Response

from services.gateway.auth import log_in, revoke
from services.gateway.routes import client_address, route
from services.gateway.schemas import MeOut, TokenIn, TokenOut
from services.gateway.views import me_view, token_view
from shared.actors import ANYONE


class AuthApi:
    """Mixed into GatewayService."""

    @route("POST", "/api/v1/auth/token", "Log in: a bearer token", None, body=TokenIn,
           response=TokenOut, tags=["auth"])
    def token(self, call):
        return token_view(log_in(self.db, call.body["username"], call.body["password"],
                                 client_address(call.request)))

    @route("POST", "/api/v1/auth/logout", "Log out: this token is refused from now on",
           ANYONE, status=204, tags=["auth"], password_pending=True)
    def api_logout(self, call):
        revoke(self.db, call.request.headers.get("Authorization"))
        return Response(status=204)

    @route("GET", "/api/v1/me", "Who the token belongs to", ANYONE, response=MeOut,
           tags=["auth"])
    def me(self, call):
        return me_view(call.actor)

