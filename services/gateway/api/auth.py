"""Logging in and out, and who a token belongs to."""
from werkzeug.wrappers import Response

from services.gateway.auth import log_in, revoke, token_answer
from services.gateway.routes import client_address, route
from services.gateway.schemas import MeOut, TokenIn, TokenOut
from shared.actors import ANYONE
from shared.schemas import shaped


class AuthApi:
    """Mixed into GatewayService."""

    @route("POST", "/api/v1/auth/token", "Log in: a bearer token", None, body=TokenIn,
           response=TokenOut, tags=["auth"])
    def token(self, call):
        user, token, ttl = log_in(self.db, call.body["username"], call.body["password"],
                                  client_address(call.request))
        return token_answer(user, token, ttl)

    @route("POST", "/api/v1/auth/logout", "Log out: this token is refused from now on",
           ANYONE, status=204, tags=["auth"], password_pending=True)
    def api_logout(self, call):
        revoke(self.db, call.request.headers.get("Authorization"))
        return Response(status=204)

    @route("GET", "/api/v1/me", "Who the token belongs to", ANYONE, response=MeOut,
           tags=["auth"])
    def me(self, call):
        return shaped(MeOut(), {name: call.actor.get(name) for name in MeOut().fields})

