-- notifications: the bell in the web app, read state per user, choices per kind
--
-- What the outbox tells people (a new lead, an SLA reminder or breach, a reply, a
-- mention) is also kept per user for the web app, with when they read it; each user
-- chooses per kind whether to hear of it in the app, by email, or both.

CREATE TABLE notifications (
  id          INTEGER PRIMARY KEY,
  user_id     INTEGER NOT NULL,  -- users.id
  kind        TEXT    NOT NULL,
  lead_id     INTEGER,
  title       TEXT    NOT NULL,
  body        TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  read_at     INTEGER
);
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_unread ON notifications(user_id) WHERE read_at IS NULL;

CREATE TABLE notification_choices (
  user_id  INTEGER NOT NULL,  -- users.id
  kind     TEXT    NOT NULL,
  app      INTEGER NOT NULL,  -- 1: in the app
  email    INTEGER NOT NULL,  -- 1: by email
  PRIMARY KEY (user_id, kind)
);
