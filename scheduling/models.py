from django.db import models  # noqa: F401

from .models_appointments import *  # noqa: F401,F403
