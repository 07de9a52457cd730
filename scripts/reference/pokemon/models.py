from django.db import models


class Pokemon(models.Model):
    """A row of pokedex's `pokemon` table, read where pokedex seeded it."""

    pokedex_id = models.IntegerField(primary_key=True)
    name = models.TextField()
    type = models.TextField()
    secondary_type = models.TextField(null=True)
    height = models.IntegerField()  # decimetres
    weight = models.IntegerField()  # hectograms
    hp = models.IntegerField()
    attack = models.IntegerField()
    defense = models.IntegerField()
    sp_atk = models.IntegerField()
    sp_def = models.IntegerField()
    speed = models.IntegerField()
    generation = models.IntegerField()

    class Meta:
        managed = False
        db_table = "pokemon"

    @property
    def height_m(self):
        return f"{self.height / 10:.1f}"

    @property
    def weight_kg(self):
        return f"{self.weight / 10:.1f}"
