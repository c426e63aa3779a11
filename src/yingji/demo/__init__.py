"""The deterministic demo city 示范市 (province code 990000 示范省, reserved for the demo).

``yingji demo-data [--seed N] [--reset]`` calls :func:`yingji.demo.build.build`; ``yingji demo-logins`` prints
:data:`yingji.demo.users.DEMO_LOGINS`. Modules: ``regions`` (divisions and population), ``organisations``,
``users``; ``build`` runs them as registered steps that later modules extend.
"""
