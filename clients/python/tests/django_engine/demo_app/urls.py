from django.urls import path

from demo_app import views

urlpatterns = [
    path("login", views.login_view),
    path("logout", views.logout_view),
    path("whoami", views.whoami),
    path("count", views.count),
    path("race/set/<str:name>", views.race_set),
    path("race/count", views.race_count),
]
