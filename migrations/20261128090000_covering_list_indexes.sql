-- The list queries read their rows in name order straight from indexes that hold
-- every column the tables show (covering indexes), so SQLite neither sorts the rows
-- nor looks each one up in the table: /all walks the first from end to end, the home
-- page reads five entries of the second, a type page one run of the second and one
-- of the third, merged. Each replaces the index it starts like.
CREATE INDEX pokemon_listed_by_name
    ON pokemon (name, pokedex_id, secondary_type, height, weight, hp, speed);
CREATE INDEX pokemon_listed_by_type
    ON pokemon (type, name, pokedex_id, secondary_type, height, weight, hp, speed);
CREATE INDEX pokemon_listed_by_secondary_type
    ON pokemon (secondary_type, name, type, pokedex_id, height, weight, hp, speed);
DROP INDEX pokemon_name;
DROP INDEX pokemon_type_name;
DROP INDEX pokemon_secondary_type_name;
