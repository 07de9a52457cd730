import time

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import cache_page

from .models import Pokemon

HOME_TYPES = ["normal", "grass", "water"]
STAT_MAX = 255  # Blissey's HP: a full bar


# Each view times its own work, queries included, up to rendering: the navbar's
# "Response time" (querysets are lazy, so each is evaluated inside the timed part).
def home(request):
    start = time.time()
    sections = [(t, list(Pokemon.objects.filter(type=t).order_by("name")[:5])) for t in HOME_TYPES]
    context = {"sections": sections, "response_time": time.time() - start}
    return render(request, "pokemon/home.html", context)


def all(request):
    start = time.time()
    pokemons = list(Pokemon.objects.order_by("name"))
    context = {
        "pokemons": pokemons,
        "fragment_cache": settings.CACHE_STRATEGY == "fragment",
        "response_time": time.time() - start,
    }
    return render(request, "pokemon/all.html", context)


if settings.CACHE_STRATEGY == "view":
    all = cache_page(60)(all)


def pokemon(request, pokedex_id):
    start = time.time()
    pokemon = get_object_or_404(Pokemon, pokedex_id=pokedex_id)
    labels = ["HP", "Attack", "Defense", "Sp. Atk", "Sp. Def", "Speed"]
    values = [pokemon.hp, pokemon.attack, pokemon.defense, pokemon.sp_atk, pokemon.sp_def, pokemon.speed]
    context = {
        "pokemon": pokemon,
        "stats": [(label, value, value * 100 // STAT_MAX) for label, value in zip(labels, values)],
        "total": sum(values),
        "previous": Pokemon.objects.filter(pokedex_id__lt=pokedex_id).order_by("-pokedex_id").first(),
        "next": Pokemon.objects.filter(pokedex_id__gt=pokedex_id).order_by("pokedex_id").first(),
        "response_time": time.time() - start,
    }
    return render(request, "pokemon/pokemon.html", context)


def pokemon_type(request, type_name):
    start = time.time()
    pokemons = list(Pokemon.objects.filter(Q(type=type_name) | Q(secondary_type=type_name)).order_by("name"))
    if not pokemons:
        raise Http404(f"No Pokémon has the type {type_name}.")
    context = {"type_name": type_name, "pokemons": pokemons, "response_time": time.time() - start}
    return render(request, "pokemon/type.html", context)
