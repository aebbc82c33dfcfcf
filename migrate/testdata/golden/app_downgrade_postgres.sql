CREATE TABLE IF NOT EXISTS "alembic_version" (
	version_num VARCHAR(32) NOT NULL,
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

-- Running downgrade 84fc1485177b -> ccdf2d4e5972, full-text search

BEGIN;

DROP INDEX "ix_post_body_tsv";

ALTER TABLE "post" DROP COLUMN "body_tsv";

DELETE FROM "alembic_version" WHERE version_num = '84fc1485177b';

INSERT INTO "alembic_version" (version_num) VALUES ('ccdf2d4e5972');

COMMIT;

-- Running downgrade ccdf2d4e5972 -> 843767ed7abf, post index for timelines

BEGIN;

DROP INDEX "ix_post_user_id_timestamp_id";

DELETE FROM "alembic_version" WHERE version_num = 'ccdf2d4e5972';

INSERT INTO "alembic_version" (version_num) VALUES ('843767ed7abf');

COMMIT;

-- Running downgrade 843767ed7abf -> 4c2b5f67ca6d, api tokens

BEGIN;

DROP TABLE "api_token";

DELETE FROM "alembic_version" WHERE version_num = '843767ed7abf';

INSERT INTO "alembic_version" (version_num) VALUES ('4c2b5f67ca6d');

COMMIT;

-- Running downgrade 4c2b5f67ca6d -> b3ea10ae6597, user disabled_at

BEGIN;

ALTER TABLE "user" DROP COLUMN "disabled_at";

DELETE FROM "alembic_version" WHERE version_num = '4c2b5f67ca6d';

INSERT INTO "alembic_version" (version_num) VALUES ('b3ea10ae6597');

COMMIT;

-- Running downgrade b3ea10ae6597 -> 95ca808f003e, user language

BEGIN;

ALTER TABLE "user" DROP COLUMN "language";

DELETE FROM "alembic_version" WHERE version_num = 'b3ea10ae6597';

INSERT INTO "alembic_version" (version_num) VALUES ('95ca808f003e');

COMMIT;

-- Running downgrade 95ca808f003e -> eb734d6789e7, background jobs: job outbox, message and task indexes

BEGIN;

DROP TABLE "job_outbox";

DROP INDEX "ix_message_recipient_id_timestamp";

DROP INDEX "ix_task_user_id_complete";

DELETE FROM "alembic_version" WHERE version_num = '95ca808f003e';

INSERT INTO "alembic_version" (version_num) VALUES ('eb734d6789e7');

COMMIT;

-- Running downgrade eb734d6789e7 -> c05cb1c54b88, username keys

BEGIN;

CREATE UNIQUE INDEX "uq_user_username_lower" ON "user" (lower("username"));

DROP INDEX "ix_user_username_key";

ALTER TABLE "user" DROP COLUMN "username_key";

DELETE FROM "alembic_version" WHERE version_num = 'eb734d6789e7';

INSERT INTO "alembic_version" (version_num) VALUES ('c05cb1c54b88');

COMMIT;

-- Running downgrade c05cb1c54b88 -> 7b2e9f4c0a18, full precision times on a Flask-made MySQL database

BEGIN;

DELETE FROM "alembic_version" WHERE version_num = 'c05cb1c54b88';

INSERT INTO "alembic_version" (version_num) VALUES ('7b2e9f4c0a18');

COMMIT;

-- Running downgrade 7b2e9f4c0a18 -> 2d8f4a6c1e37, case-insensitive unique usernames and emails

BEGIN;

DROP INDEX "uq_user_email_lower";

DROP INDEX "uq_user_username_lower";

DELETE FROM "alembic_version" WHERE version_num = '7b2e9f4c0a18';

INSERT INTO "alembic_version" (version_num) VALUES ('2d8f4a6c1e37');

COMMIT;

-- Running downgrade 2d8f4a6c1e37 -> 9c3e7b1d5a20, rate limits

BEGIN;

DROP TABLE "rate_limit";

DELETE FROM "alembic_version" WHERE version_num = '2d8f4a6c1e37';

INSERT INTO "alembic_version" (version_num) VALUES ('9c3e7b1d5a20');

COMMIT;

-- Running downgrade 9c3e7b1d5a20 -> 5f1c0a2e9d41, web sessions

BEGIN;

DROP TABLE "sessions";

DELETE FROM "alembic_version" WHERE version_num = '9c3e7b1d5a20';

INSERT INTO "alembic_version" (version_num) VALUES ('5f1c0a2e9d41');

COMMIT;

-- Running downgrade 5f1c0a2e9d41 -> 834b1a697901, index followers by followed user

BEGIN;

DROP INDEX "ix_followers_followed_id";

DELETE FROM "alembic_version" WHERE version_num = '5f1c0a2e9d41';

INSERT INTO "alembic_version" (version_num) VALUES ('834b1a697901');

COMMIT;

-- Running downgrade 834b1a697901 -> c81bac34faab, user tokens

BEGIN;

DROP INDEX "ix_user_token";

ALTER TABLE "user" DROP COLUMN "token";

ALTER TABLE "user" DROP COLUMN "token_expiration";

DELETE FROM "alembic_version" WHERE version_num = '834b1a697901';

INSERT INTO "alembic_version" (version_num) VALUES ('c81bac34faab');

COMMIT;

-- Running downgrade c81bac34faab -> f7ac3d27bb1d, tasks

BEGIN;

DROP TABLE "task";

DELETE FROM "alembic_version" WHERE version_num = 'c81bac34faab';

INSERT INTO "alembic_version" (version_num) VALUES ('f7ac3d27bb1d');

COMMIT;

-- Running downgrade f7ac3d27bb1d -> d049de007ccf, notifications

BEGIN;

DROP TABLE "notification";

DELETE FROM "alembic_version" WHERE version_num = 'f7ac3d27bb1d';

INSERT INTO "alembic_version" (version_num) VALUES ('d049de007ccf');

COMMIT;

-- Running downgrade d049de007ccf -> 2b017edaa91f, private messages

BEGIN;

DROP TABLE "message";

ALTER TABLE "user" DROP COLUMN "last_message_read_time";

DELETE FROM "alembic_version" WHERE version_num = 'd049de007ccf';

INSERT INTO "alembic_version" (version_num) VALUES ('2b017edaa91f');

COMMIT;

-- Running downgrade 2b017edaa91f -> ae346256b650, add language to posts

BEGIN;

ALTER TABLE "post" DROP COLUMN "language";

DELETE FROM "alembic_version" WHERE version_num = '2b017edaa91f';

INSERT INTO "alembic_version" (version_num) VALUES ('ae346256b650');

COMMIT;

-- Running downgrade ae346256b650 -> 37f06a334dbf, followers

BEGIN;

DROP TABLE "followers";

DELETE FROM "alembic_version" WHERE version_num = 'ae346256b650';

INSERT INTO "alembic_version" (version_num) VALUES ('37f06a334dbf');

COMMIT;

-- Running downgrade 37f06a334dbf -> 780739b227a7, new fields in user model

BEGIN;

ALTER TABLE "user" DROP COLUMN "about_me";

ALTER TABLE "user" DROP COLUMN "last_seen";

DELETE FROM "alembic_version" WHERE version_num = '37f06a334dbf';

INSERT INTO "alembic_version" (version_num) VALUES ('780739b227a7');

COMMIT;

-- Running downgrade 780739b227a7 -> e517276bb1c2, posts table

BEGIN;

DROP TABLE "post";

DELETE FROM "alembic_version" WHERE version_num = '780739b227a7';

INSERT INTO "alembic_version" (version_num) VALUES ('e517276bb1c2');

COMMIT;

-- Running downgrade e517276bb1c2 -> , users table

BEGIN;

DROP TABLE "user";

DELETE FROM "alembic_version" WHERE version_num = 'e517276bb1c2';

COMMIT;

