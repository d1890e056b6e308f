"""The change log of a specification version, for the specifications pages.

`{% change_log version %}` costs one query (two with the items' prefetch),
whatever the number of changes.
"""

from django import template

from changes.selectors import change_log_for_versions

register = template.Library()


@register.inclusion_tag("changes/_change_log.html")
def change_log(version, public=False):
    return {
        "entries": change_log_for_versions([version])[version.pk],
        "public": public,
        "version": version,
    }
