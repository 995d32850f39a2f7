-- sources_name: a source's name is unique, whatever its case
--
-- Two sources of one name cannot be told apart where people pick one (the sources
-- page, reports by source). Names already repeated keep their first holder; the others
-- get their id appended, so the index can hold.

UPDATE sources SET name = name || ' (' || id || ')'
 WHERE id NOT IN (SELECT MIN(id) FROM sources GROUP BY lower(name));

CREATE UNIQUE INDEX sources_name ON sources (lower(name));
