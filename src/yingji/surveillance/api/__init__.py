"""REST API of the surveillance app, one module per topic; each module's router is mounted in yingji/api.py."""
