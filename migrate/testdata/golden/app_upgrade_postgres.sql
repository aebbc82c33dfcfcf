CREATE TABLE IF NOT EXISTS "alembic_version" (
	version_num VARCHAR(32) NOT NULL,
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

-- Running upgrade  -> e517276bb1c2, users table

BEGIN;

CREATE TABLE "user" (
	"id" SERIAL NOT NULL,
	"username" VARCHAR(64) NOT NULL,
	"email" VARCHAR(120) NOT NULL,
	"password_hash" VARCHAR(256),
	CONSTRAINT "pk_user" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "ix_user_email" ON "user" ("email");

CREATE UNIQUE INDEX "ix_user_username" ON "user" ("username");

INSERT INTO "alembic_version" (version_num) VALUES ('e517276bb1c2');

COMMIT;

-- Running upgrade e517276bb1c2 -> 780739b227a7, posts table

BEGIN;

CREATE TABLE "post" (
	"id" SERIAL NOT NULL,
	"body" VARCHAR(140) NOT NULL,
	"timestamp" TIMESTAMP WITHOUT TIME ZONE NOT NULL,
	"user_id" INTEGER NOT NULL,
	CONSTRAINT "pk_post" PRIMARY KEY ("id"),
	CONSTRAINT "fk_post_user_id_user" FOREIGN KEY("user_id") REFERENCES "user" ("id")
);

CREATE INDEX "ix_post_timestamp" ON "post" ("timestamp");

CREATE INDEX "ix_post_user_id" ON "post" ("user_id");

DELETE FROM "alembic_version" WHERE version_num = 'e517276bb1c2';

INSERT INTO "alembic_version" (version_num) VALUES ('780739b227a7');

COMMIT;

-- Running upgrade 780739b227a7 -> 37f06a334dbf, new fields in user model

BEGIN;

ALTER TABLE "user" ADD COLUMN "about_me" VARCHAR(140);

ALTER TABLE "user" ADD COLUMN "last_seen" TIMESTAMP WITHOUT TIME ZONE;

DELETE FROM "alembic_version" WHERE version_num = '780739b227a7';

INSERT INTO "alembic_version" (version_num) VALUES ('37f06a334dbf');

COMMIT;

-- Running upgrade 37f06a334dbf -> ae346256b650, followers

BEGIN;

CREATE TABLE "followers" (
	"follower_id" INTEGER NOT NULL,
	"followed_id" INTEGER NOT NULL,
	CONSTRAINT "pk_followers" PRIMARY KEY ("follower_id", "followed_id"),
	CONSTRAINT "fk_followers_follower_id_user" FOREIGN KEY("follower_id") REFERENCES "user" ("id"),
	CONSTRAINT "fk_followers_followed_id_user" FOREIGN KEY("followed_id") REFERENCES "user" ("id")
);

DELETE FROM "alembic_version" WHERE version_num = '37f06a334dbf';

INSERT INTO "alembic_version" (version_num) VALUES ('ae346256b650');

COMMIT;

-- Running upgrade ae346256b650 -> 2b017edaa91f, add language to posts

BEGIN;

ALTER TABLE "post" ADD COLUMN "language" VARCHAR(5);

DELETE FROM "alembic_version" WHERE version_num = 'ae346256b650';

INSERT INTO "alembic_version" (version_num) VALUES ('2b017edaa91f');

COMMIT;

-- Running upgrade 2b017edaa91f -> d049de007ccf, private messages

BEGIN;

CREATE TABLE "message" (
	"id" SERIAL NOT NULL,
	"sender_id" INTEGER NOT NULL,
	"recipient_id" INTEGER NOT NULL,
	"body" VARCHAR(140) NOT NULL,
	"timestamp" TIMESTAMP WITHOUT TIME ZONE NOT NULL,
	CONSTRAINT "pk_message" PRIMARY KEY ("id"),
	CONSTRAINT "fk_message_sender_id_user" FOREIGN KEY("sender_id") REFERENCES "user" ("id"),
	CONSTRAINT "fk_message_recipient_id_user" FOREIGN KEY("recipient_id") REFERENCES "user" ("id")
);

CREATE INDEX "ix_message_recipient_id" ON "message" ("recipient_id");

CREATE INDEX "ix_message_sender_id" ON "message" ("sender_id");

CREATE INDEX "ix_message_timestamp" ON "message" ("timestamp");

ALTER TABLE "user" ADD COLUMN "last_message_read_time" TIMESTAMP WITHOUT TIME ZONE;

DELETE FROM "alembic_version" WHERE version_num = '2b017edaa91f';

INSERT INTO "alembic_version" (version_num) VALUES ('d049de007ccf');

COMMIT;

-- Running upgrade d049de007ccf -> f7ac3d27bb1d, notifications

BEGIN;

CREATE TABLE "notification" (
	"id" SERIAL NOT NULL,
	"name" VARCHAR(128) NOT NULL,
	"user_id" INTEGER NOT NULL,
	"timestamp" DOUBLE PRECISION NOT NULL,
	"payload_json" TEXT NOT NULL,
	CONSTRAINT "pk_notification" PRIMARY KEY ("id"),
	CONSTRAINT "fk_notification_user_id_user" FOREIGN KEY("user_id") REFERENCES "user" ("id")
);

CREATE INDEX "ix_notification_name" ON "notification" ("name");

CREATE INDEX "ix_notification_timestamp" ON "notification" ("timestamp");

CREATE INDEX "ix_notification_user_id" ON "notification" ("user_id");

DELETE FROM "alembic_version" WHERE version_num = 'd049de007ccf';

INSERT INTO "alembic_version" (version_num) VALUES ('f7ac3d27bb1d');

COMMIT;

-- Running upgrade f7ac3d27bb1d -> c81bac34faab, tasks

BEGIN;

CREATE TABLE "task" (
	"id" VARCHAR(36) NOT NULL,
	"name" VARCHAR(128) NOT NULL,
	"description" VARCHAR(128),
	"user_id" INTEGER NOT NULL,
	"complete" BOOLEAN NOT NULL,
	CONSTRAINT "pk_task" PRIMARY KEY ("id"),
	CONSTRAINT "fk_task_user_id_user" FOREIGN KEY("user_id") REFERENCES "user" ("id")
);

CREATE INDEX "ix_task_name" ON "task" ("name");

DELETE FROM "alembic_version" WHERE version_num = 'f7ac3d27bb1d';

INSERT INTO "alembic_version" (version_num) VALUES ('c81bac34faab');

COMMIT;

-- Running upgrade c81bac34faab -> 834b1a697901, user tokens

BEGIN;

ALTER TABLE "user" ADD COLUMN "token" VARCHAR(32);

ALTER TABLE "user" ADD COLUMN "token_expiration" TIMESTAMP WITHOUT TIME ZONE;

CREATE UNIQUE INDEX "ix_user_token" ON "user" ("token");

DELETE FROM "alembic_version" WHERE version_num = 'c81bac34faab';

INSERT INTO "alembic_version" (version_num) VALUES ('834b1a697901');

COMMIT;

-- Running upgrade 834b1a697901 -> 5f1c0a2e9d41, index followers by followed user

BEGIN;

CREATE INDEX "ix_followers_followed_id" ON "followers" ("followed_id");

DELETE FROM "alembic_version" WHERE version_num = '834b1a697901';

INSERT INTO "alembic_version" (version_num) VALUES ('5f1c0a2e9d41');

COMMIT;

-- Running upgrade 5f1c0a2e9d41 -> 9c3e7b1d5a20, web sessions

BEGIN;

CREATE TABLE "sessions" (
	"token" VARCHAR(64) NOT NULL,
	"data" BYTEA NOT NULL,
	"expiry" TIMESTAMP WITHOUT TIME ZONE NOT NULL,
	CONSTRAINT "pk_sessions" PRIMARY KEY ("token")
);

CREATE INDEX "ix_sessions_expiry" ON "sessions" ("expiry");

DELETE FROM "alembic_version" WHERE version_num = '5f1c0a2e9d41';

INSERT INTO "alembic_version" (version_num) VALUES ('9c3e7b1d5a20');

COMMIT;

-- Running upgrade 9c3e7b1d5a20 -> 2d8f4a6c1e37, rate limits

BEGIN;

CREATE TABLE "rate_limit" (
	"key" VARCHAR(160) NOT NULL,
	"hits" INTEGER NOT NULL,
	"window_start" TIMESTAMP WITHOUT TIME ZONE NOT NULL,
	CONSTRAINT "pk_rate_limit" PRIMARY KEY ("key")
);

DELETE FROM "alembic_version" WHERE version_num = '9c3e7b1d5a20';

INSERT INTO "alembic_version" (version_num) VALUES ('2d8f4a6c1e37');

COMMIT;

-- Running upgrade 2d8f4a6c1e37 -> 7b2e9f4c0a18, case-insensitive unique usernames and emails

BEGIN;

-- require (checked by online runs, which stop if the query finds rows of usernames that differ only in case)
-- SELECT id, username FROM "user" WHERE lower(username) IN (SELECT lower(username) FROM "user" GROUP BY lower(username) HAVING count(*) > 1) ORDER BY lower(username), id

-- require (checked by online runs, which stop if the query finds rows of e-mail addresses that differ only in case)
-- SELECT id, username, email FROM "user" WHERE lower(email) IN (SELECT lower(email) FROM "user" GROUP BY lower(email) HAVING count(*) > 1) ORDER BY lower(email), id

CREATE UNIQUE INDEX "uq_user_username_lower" ON "user" (lower("username"));

CREATE UNIQUE INDEX "uq_user_email_lower" ON "user" (lower("email"));

DELETE FROM "alembic_version" WHERE version_num = '2d8f4a6c1e37';

INSERT INTO "alembic_version" (version_num) VALUES ('7b2e9f4c0a18');

COMMIT;

-- Running upgrade 7b2e9f4c0a18 -> c05cb1c54b88, full precision times on a Flask-made MySQL database

BEGIN;

DELETE FROM "alembic_version" WHERE version_num = '7b2e9f4c0a18';

INSERT INTO "alembic_version" (version_num) VALUES ('c05cb1c54b88');

COMMIT;

-- Running upgrade c05cb1c54b88 -> eb734d6789e7, username keys

BEGIN;

ALTER TABLE "user" ADD COLUMN "username_key" VARCHAR(64);

CREATE UNIQUE INDEX "ix_user_username_key" ON "user" ("username_key");

DROP INDEX "uq_user_username_lower";

DELETE FROM "alembic_version" WHERE version_num = 'c05cb1c54b88';

INSERT INTO "alembic_version" (version_num) VALUES ('eb734d6789e7');

COMMIT;

-- Running upgrade eb734d6789e7 -> 95ca808f003e, background jobs: job outbox, message and task indexes

BEGIN;

CREATE TABLE "job_outbox" (
	"id" SERIAL NOT NULL,
	"kind" VARCHAR(64) NOT NULL,
	"args" BYTEA NOT NULL,
	"max_attempts" INTEGER NOT NULL,
	"created_at" TIMESTAMP WITHOUT TIME ZONE NOT NULL,
	CONSTRAINT "pk_job_outbox" PRIMARY KEY ("id")
);

CREATE INDEX "ix_message_recipient_id_timestamp" ON "message" ("recipient_id", "timestamp");

CREATE INDEX "ix_task_user_id_complete" ON "task" ("user_id", "complete");

DELETE FROM "alembic_version" WHERE version_num = 'eb734d6789e7';

INSERT INTO "alembic_version" (version_num) VALUES ('95ca808f003e');

COMMIT;

-- Running upgrade 95ca808f003e -> b3ea10ae6597, user language

BEGIN;

ALTER TABLE "user" ADD COLUMN "language" VARCHAR(5);

DELETE FROM "alembic_version" WHERE version_num = '95ca808f003e';

INSERT INTO "alembic_version" (version_num) VALUES ('b3ea10ae6597');

COMMIT;

-- Running upgrade b3ea10ae6597 -> 4c2b5f67ca6d, user disabled_at

BEGIN;

ALTER TABLE "user" ADD COLUMN "disabled_at" TIMESTAMP WITHOUT TIME ZONE;

DELETE FROM "alembic_version" WHERE version_num = 'b3ea10ae6597';

INSERT INTO "alembic_version" (version_num) VALUES ('4c2b5f67ca6d');

COMMIT;

-- Running upgrade 4c2b5f67ca6d -> 843767ed7abf, api tokens

BEGIN;

CREATE TABLE "api_token" (
	"id" SERIAL NOT NULL,
	"token_hash" VARCHAR(64) NOT NULL,
	"user_id" INTEGER NOT NULL,
	"password_fp" VARCHAR(64) NOT NULL,
	"created_at" TIMESTAMP WITHOUT TIME ZONE NOT NULL,
	"expires_at" TIMESTAMP WITHOUT TIME ZONE NOT NULL,
	CONSTRAINT "pk_api_token" PRIMARY KEY ("id"),
	CONSTRAINT "fk_api_token_user_id_user" FOREIGN KEY("user_id") REFERENCES "user" ("id")
);

CREATE INDEX "ix_api_token_expires_at" ON "api_token" ("expires_at");

CREATE UNIQUE INDEX "ix_api_token_token_hash" ON "api_token" ("token_hash");

CREATE INDEX "ix_api_token_user_id" ON "api_token" ("user_id");

DELETE FROM "alembic_version" WHERE version_num = '4c2b5f67ca6d';

INSERT INTO "alembic_version" (version_num) VALUES ('843767ed7abf');

COMMIT;

-- Running upgrade 843767ed7abf -> ccdf2d4e5972, post index for timelines

BEGIN;

CREATE INDEX "ix_post_user_id_timestamp_id" ON "post" ("user_id", "timestamp", "id");

DELETE FROM "alembic_version" WHERE version_num = '843767ed7abf';

INSERT INTO "alembic_version" (version_num) VALUES ('ccdf2d4e5972');

COMMIT;

-- Running upgrade ccdf2d4e5972 -> 84fc1485177b, full-text search

BEGIN;

ALTER TABLE "post" ADD COLUMN "body_tsv" tsvector GENERATED ALWAYS AS (to_tsvector(CASE "language" WHEN 'da' THEN 'danish'::regconfig WHEN 'nl' THEN 'dutch'::regconfig WHEN 'en' THEN 'english'::regconfig WHEN 'fi' THEN 'finnish'::regconfig WHEN 'fr' THEN 'french'::regconfig WHEN 'de' THEN 'german'::regconfig WHEN 'hu' THEN 'hungarian'::regconfig WHEN 'it' THEN 'italian'::regconfig WHEN 'no' THEN 'norwegian'::regconfig WHEN 'pt' THEN 'portuguese'::regconfig WHEN 'ro' THEN 'romanian'::regconfig WHEN 'ru' THEN 'russian'::regconfig WHEN 'es' THEN 'spanish'::regconfig WHEN 'sv' THEN 'swedish'::regconfig WHEN 'tr' THEN 'turkish'::regconfig ELSE 'simple'::regconfig END, "body")) STORED;

CREATE INDEX "ix_post_body_tsv" ON "post" USING gin ("body_tsv");

DELETE FROM "alembic_version" WHERE version_num = 'ccdf2d4e5972';

INSERT INTO "alembic_version" (version_num) VALUES ('84fc1485177b');

COMMIT;

