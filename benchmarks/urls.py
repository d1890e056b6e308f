from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path


def trivial(request):
    return HttpResponse("ok")


urlpatterns = [
    path("bench/trivial/", trivial),
    # The floor under every staff page: the session and the signed-in person.
    path("bench/trivial-signed-in/", login_required(trivial)),
    path("", include("lra_commissioning.urls")),
]
