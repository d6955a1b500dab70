from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hospops.roles import module_required


@module_required("scheduling")
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "scheduling/index.html")
