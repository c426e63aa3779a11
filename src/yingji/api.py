"""The REST API root (/api/v1). Each app contributes a router; see core/api.py."""

from ninja import NinjaAPI

api = NinjaAPI(title="Yingji 应急 API", version="1", urls_namespace="api", docs_url="/docs",
               openapi_url="/openapi.json")
