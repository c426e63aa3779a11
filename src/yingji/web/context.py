"""Template context shared by every page."""


def navigation(request):
    from .navigation import items_for

    return {"nav_items": items_for(request)}
