"""nameko's web server, answering what its router refuses (no such path, a method the path
does not take) as problem+json like every other error, instead of Werkzeug's HTML page."""
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, WsgiApp
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request

from services.gateway.problems import problem


class _ProblemsApp(WsgiApp):
    def __call__(self, environ, start_response):
        request = Request(environ, shallow=True)  # as nameko's own app does
        adapter = self.url_map.bind_to_environ(environ)
        try:
            provider, values = adapter.match()
            request.path_values = values
            answer = provider.handle_request(request)
        except HTTPException as refused:
            headers = {k: v for k, v in refused.get_headers() if k.lower() == "allow"}
            answer = problem(refused.code or 400, refused.description or refused.name,
                             refused.name.lower().replace(" ", "_"), headers=headers)
        return answer(environ, start_response)


class GatewayServer(WebServer):
    def get_wsgi_app(self):
        return _ProblemsApp(self)


class Http(HttpRequestHandler):
    server = GatewayServer()


http = Http.decorator
