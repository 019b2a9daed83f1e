-- load.sql — the analyst's tables, in the run's metric CRS.
-- psql variables: srid, metric_crs, vertices, densify_deg, radii (a VALUES
-- list of (kind, radius_m)). Before this file: shp2pgsql loaded the township
-- map (lon/lat, SRID 4326) into townships_src. psql's stdin is sites.csv.
\set ON_ERROR_STOP on

-- The equal-area CRS towncov used (summary.json "metric_crs") as our own SRID.
INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text)
VALUES (:srid, NULL, NULL, NULL, :'metric_crs');

-- Townships: densified in lon/lat as towncov's loader does (an edge straight
-- in degrees is curved in metres), then projected.
CREATE TABLE townships AS
SELECT gid, code::text AS code,
       ST_Multi(ST_Transform(ST_Segmentize(geom, :densify_deg), :srid))::geometry(MultiPolygon, :srid) AS geom
FROM townships_src;
ALTER TABLE townships ADD PRIMARY KEY (gid);
CREATE INDEX townships_geom ON townships USING gist (geom);
DROP TABLE townships_src;

-- Stations, exactly as towncov placed them (sites.csv of the same run).
CREATE TABLE sites (id text, lon float8, lat float8, x_m float8, y_m float8, township text,
                    kind text, band text, model text, min_range_m float8, max_range_m float8);
\copy sites FROM pstdin WITH (FORMAT csv, HEADER true)

-- Footprints: the same regular polygon towncov draws (sim/radio/budget.c disc_ring),
-- vertex k at (x + r cos(2 pi k / n), y + r sin(2 pi k / n)), r by the kind of
-- the station's township (a station outside every township: special).
CREATE TABLE radius (kind text PRIMARY KEY, r float8 NOT NULL);
INSERT INTO radius VALUES :radii;

CREATE TABLE footprints AS
SELECT s.id,
       ST_SetSRID(ST_MakePolygon(ST_MakeLine(ARRAY(
           SELECT ST_MakePoint(s.x_m + r.r * cos(2 * pi() * (k % :vertices) / :vertices),
                               s.y_m + r.r * sin(2 * pi() * (k % :vertices) / :vertices))
           FROM generate_series(0, :vertices) AS k ORDER BY k))), :srid)::geometry(Polygon, :srid) AS geom
FROM sites s JOIN radius r ON r.kind = COALESCE(NULLIF(s.kind, ''), 'special');
CREATE INDEX footprints_geom ON footprints USING gist (geom);

-- The rewrite: one township per call, so the planner can spread townships over
-- parallel workers.
CREATE FUNCTION township_covered_m2(tg geometry) RETURNS float8
LANGUAGE sql STABLE PARALLEL SAFE COST 100000 AS $$
    SELECT COALESCE(ST_Area(ST_Intersection(tg, ST_Union(f.geom))), 0)
    FROM footprints f
    WHERE ST_Intersects(tg, f.geom)
$$;

VACUUM ANALYZE;
SELECT (SELECT count(*) FROM townships) AS townships, (SELECT count(*) FROM footprints) AS footprints;
