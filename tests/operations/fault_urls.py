"""A URLconf for the fault tests: one idempotent write, beside the real site."""

from django.contrib.admin.models import ADDITION, LogEntry
from django.http import HttpResponseRedirect
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from lra_commissioning.idempotency import idempotent


@csrf_exempt
@idempotent
def write(request):
    # A plain insert with no unique column: only the idempotency key can stop a
    # retried request from storing it twice.
    LogEntry.objects.create(
        user_id=int(request.POST["user"]),
        action_flag=ADDITION,
        object_repr=f"write {request.POST['n']}",
        change_message="fault test",
    )
    return HttpResponseRedirect(f"/written/{request.POST['n']}/")


urlpatterns = [path("fault-test/write/", write), path("", include("lra_commissioning.urls"))]
