"""Gives an HTTP handler its worker context, so it can set the correlation id that nameko
then carries in the headers of every RPC call the request makes."""
from nameko.extensions import DependencyProvider


class WorkerContext(DependencyProvider):
    def get_dependency(self, worker_ctx):
        return worker_ctx
