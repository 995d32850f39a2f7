-- touchpoints: kept for the persons who have a lead
--
-- The reports group and credit leads by the touchpoints of their persons, and read no
-- other. Most visitors never become a lead, and writing a touchpoint for each of their
-- events cost the pipeline a fifth of its speed, so from this version a touchpoint is
-- written only when its person has a lead, and a lead's creation (or a merge into a
-- person who has one) writes those of the person's earlier events
-- (store/sql/sql_analytics.cpp KeepTouchpointsOf). This removes the touchpoints of persons
-- without a lead, so the table holds what it would hold had it always been kept so.

DELETE FROM touchpoints WHERE person_id NOT IN (SELECT id FROM leads);
