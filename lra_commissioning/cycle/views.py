from django.http import HttpResponse

def calendar(request):
    return HttpResponse()
