-- natural.sql — the query a GIS analyst writes first: per township, the
-- union of the footprints that touch it, clipped to it. psql variable:
-- explain (EXPLAIN to see the plan, empty to run it).
:explain SELECT t.code,
       ST_Area(t.geom) AS area_m2,
       COALESCE(ST_Area(ST_Intersection(t.geom, ST_Union(f.geom))), 0) AS covered_m2
FROM townships t
LEFT JOIN footprints f ON ST_Intersects(t.geom, f.geom)
GROUP BY t.gid;
