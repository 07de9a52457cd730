from django.urls import path

from pokemon import views

urlpatterns = [
    path("", views.home, name="home"),
    path("all", views.all, name="all"),
    path("pokemon/<int:pokedex_id>", views.pokemon, name="pokemon"),
    path("type/<str:type_name>", views.pokemon_type, name="type"),
]
