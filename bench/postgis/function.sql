-- function.sql — the rewrite: a PARALLEL SAFE per-township function (load.sql)
-- called once per township row. psql variables: explain (EXPLAIN or empty),
-- workers
-- (max_parallel_workers_per_gather: 0 = serial, 2 = the leader and two workers).
-- The costs are zeroed so that the small townships table may be split at all.
SET max_parallel_workers_per_gather = :workers;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;

:explain SELECT code, ST_Area(geom) AS area_m2, township_covered_m2(geom) AS covered_m2
FROM townships;
