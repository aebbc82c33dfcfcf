CREATE TABLE IF NOT EXISTS `alembic_version` (
	version_num VARCHAR(32) NOT NULL,
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

-- Running upgrade  -> e517276bb1c2, users table

CREATE TABLE `user` (
	`id` INTEGER NOT NULL AUTO_INCREMENT,
	`username` VARCHAR(64) NOT NULL,
	`email` VARCHAR(120) NOT NULL,
	`password_hash` VARCHAR(256),
	CONSTRAINT `pk_user` PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE UNIQUE INDEX `ix_user_email` ON `user` (`email`);

CREATE UNIQUE INDEX `ix_user_username` ON `user` (`username`);

INSERT INTO `alembic_version` (version_num) VALUES ('e517276bb1c2');

-- Running upgrade e517276bb1c2 -> 780739b227a7, posts table

CREATE TABLE `post` (
	`id` INTEGER NOT NULL AUTO_INCREMENT,
	`body` VARCHAR(140) NOT NULL,
	`timestamp` DATETIME(6) NOT NULL,
	`user_id` INTEGER NOT NULL,
	CONSTRAINT `pk_post` PRIMARY KEY (`id`),
	CONSTRAINT `fk_post_user_id_user` FOREIGN KEY(`user_id`) REFERENCES `user` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE INDEX `ix_post_timestamp` ON `post` (`timestamp`);

CREATE INDEX `ix_post_user_id` ON `post` (`user_id`);

DROP INDEX IF EXISTS `fk_post_user_id_user` ON `post`;

DELETE FROM `alembic_version` WHERE version_num = 'e517276bb1c2';

INSERT INTO `alembic_version` (version_num) VALUES ('780739b227a7');

-- Running upgrade 780739b227a7 -> 37f06a334dbf, new fields in user model

ALTER TABLE `user` ADD COLUMN `about_me` VARCHAR(140);

ALTER TABLE `user` ADD COLUMN `last_seen` DATETIME(6);

DELETE FROM `alembic_version` WHERE version_num = '780739b227a7';

INSERT INTO `alembic_version` (version_num) VALUES ('37f06a334dbf');

-- Running upgrade 37f06a334dbf -> ae346256b650, followers

CREATE TABLE `followers` (
	`follower_id` INTEGER NOT NULL,
	`followed_id` INTEGER NOT NULL,
	CONSTRAINT `pk_followers` PRIMARY KEY (`follower_id`, `followed_id`),
	CONSTRAINT `fk_followers_follower_id_user` FOREIGN KEY(`follower_id`) REFERENCES `user` (`id`),
	CONSTRAINT `fk_followers_followed_id_user` FOREIGN KEY(`followed_id`) REFERENCES `user` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

DELETE FROM `alembic_version` WHERE version_num = '37f06a334dbf';

INSERT INTO `alembic_version` (version_num) VALUES ('ae346256b650');

-- Running upgrade ae346256b650 -> 2b017edaa91f, add language to posts

ALTER TABLE `post` ADD COLUMN `language` VARCHAR(5);

DELETE FROM `alembic_version` WHERE version_num = 'ae346256b650';

INSERT INTO `alembic_version` (version_num) VALUES ('2b017edaa91f');

-- Running upgrade 2b017edaa91f -> d049de007ccf, private messages

CREATE TABLE `message` (
	`id` INTEGER NOT NULL AUTO_INCREMENT,
	`sender_id` INTEGER NOT NULL,
	`recipient_id` INTEGER NOT NULL,
	`body` VARCHAR(140) NOT NULL,
	`timestamp` DATETIME(6) NOT NULL,
	CONSTRAINT `pk_message` PRIMARY KEY (`id`),
	CONSTRAINT `fk_message_sender_id_user` FOREIGN KEY(`sender_id`) REFERENCES `user` (`id`),
	CONSTRAINT `fk_message_recipient_id_user` FOREIGN KEY(`recipient_id`) REFERENCES `user` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE INDEX `ix_message_recipient_id` ON `message` (`recipient_id`);

DROP INDEX IF EXISTS `fk_message_recipient_id_user` ON `message`;

CREATE INDEX `ix_message_sender_id` ON `message` (`sender_id`);

DROP INDEX IF EXISTS `fk_message_sender_id_user` ON `message`;

CREATE INDEX `ix_message_timestamp` ON `message` (`timestamp`);

ALTER TABLE `user` ADD COLUMN `last_message_read_time` DATETIME(6);

DELETE FROM `alembic_version` WHERE version_num = '2b017edaa91f';

INSERT INTO `alembic_version` (version_num) VALUES ('d049de007ccf');

-- Running upgrade d049de007ccf -> f7ac3d27bb1d, notifications

CREATE TABLE `notification` (
	`id` INTEGER NOT NULL AUTO_INCREMENT,
	`name` VARCHAR(128) NOT NULL,
	`user_id` INTEGER NOT NULL,
	`timestamp` DOUBLE NOT NULL,
	`payload_json` TEXT NOT NULL,
	CONSTRAINT `pk_notification` PRIMARY KEY (`id`),
	CONSTRAINT `fk_notification_user_id_user` FOREIGN KEY(`user_id`) REFERENCES `user` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE INDEX `ix_notification_name` ON `notification` (`name`);

CREATE INDEX `ix_notification_timestamp` ON `notification` (`timestamp`);

CREATE INDEX `ix_notification_user_id` ON `notification` (`user_id`);

DROP INDEX IF EXISTS `fk_notification_user_id_user` ON `notification`;

DELETE FROM `alembic_version` WHERE version_num = 'd049de007ccf';

INSERT INTO `alembic_version` (version_num) VALUES ('f7ac3d27bb1d');

-- Running upgrade f7ac3d27bb1d -> c81bac34faab, tasks

CREATE TABLE `task` (
	`id` VARCHAR(36) NOT NULL,
	`name` VARCHAR(128) NOT NULL,
	`description` VARCHAR(128),
	`user_id` INTEGER NOT NULL,
	`complete` BOOL NOT NULL,
	CONSTRAINT `pk_task` PRIMARY KEY (`id`),
	CONSTRAINT `fk_task_user_id_user` FOREIGN KEY(`user_id`) REFERENCES `user` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE INDEX `ix_task_name` ON `task` (`name`);

DELETE FROM `alembic_version` WHERE version_num = 'f7ac3d27bb1d';

INSERT INTO `alembic_version` (version_num) VALUES ('c81bac34faab');

-- Running upgrade c81bac34faab -> 834b1a697901, user tokens

ALTER TABLE `user` ADD COLUMN `token` VARCHAR(32);

ALTER TABLE `user` ADD COLUMN `token_expiration` DATETIME(6);

CREATE UNIQUE INDEX `ix_user_token` ON `user` (`token`);

DELETE FROM `alembic_version` WHERE version_num = 'c81bac34faab';

INSERT INTO `alembic_version` (version_num) VALUES ('834b1a697901');

-- Running upgrade 834b1a697901 -> 5f1c0a2e9d41, index followers by followed user

CREATE INDEX `ix_followers_followed_id` ON `followers` (`followed_id`);

DROP INDEX IF EXISTS `fk_followers_followed_id_user` ON `followers`;

DELETE FROM `alembic_version` WHERE version_num = '834b1a697901';

INSERT INTO `alembic_version` (version_num) VALUES ('5f1c0a2e9d41');

-- Running upgrade 5f1c0a2e9d41 -> 9c3e7b1d5a20, web sessions

CREATE TABLE `sessions` (
	`token` VARCHAR(64) NOT NULL,
	`data` LONGBLOB NOT NULL,
	`expiry` DATETIME(6) NOT NULL,
	CONSTRAINT `pk_sessions` PRIMARY KEY (`token`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE INDEX `ix_sessions_expiry` ON `sessions` (`expiry`);

DELETE FROM `alembic_version` WHERE version_num = '5f1c0a2e9d41';

INSERT INTO `alembic_version` (version_num) VALUES ('9c3e7b1d5a20');

-- Running upgrade 9c3e7b1d5a20 -> 2d8f4a6c1e37, rate limits

CREATE TABLE `rate_limit` (
	`key` VARCHAR(160) NOT NULL,
	`hits` INTEGER NOT NULL,
	`window_start` DATETIME(6) NOT NULL,
	CONSTRAINT `pk_rate_limit` PRIMARY KEY (`key`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

DELETE FROM `alembic_version` WHERE version_num = '9c3e7b1d5a20';

INSERT INTO `alembic_version` (version_num) VALUES ('2d8f4a6c1e37');

-- Running upgrade 2d8f4a6c1e37 -> 7b2e9f4c0a18, case-insensitive unique usernames and emails

-- require (checked by online runs, which stop if the query finds rows of usernames that differ only in case)
-- SELECT id, username FROM `user` WHERE CONVERT(username USING utf8mb4) COLLATE utf8mb4_unicode_ci IN (SELECT CONVERT(username USING utf8mb4) COLLATE utf8mb4_unicode_ci FROM `user` GROUP BY 1 HAVING count(*) > 1) ORDER BY CONVERT(username USING utf8mb4) COLLATE utf8mb4_unicode_ci, id

-- require (checked by online runs, which stop if the query finds rows of e-mail addresses that differ only in case)
-- SELECT id, username, email FROM `user` WHERE CONVERT(email USING utf8mb4) COLLATE utf8mb4_unicode_ci IN (SELECT CONVERT(email USING utf8mb4) COLLATE utf8mb4_unicode_ci FROM `user` GROUP BY 1 HAVING count(*) > 1) ORDER BY CONVERT(email USING utf8mb4) COLLATE utf8mb4_unicode_ci, id

ALTER TABLE `user` CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

DELETE FROM `alembic_version` WHERE version_num = '2d8f4a6c1e37';

INSERT INTO `alembic_version` (version_num) VALUES ('7b2e9f4c0a18');

-- Running upgrade 7b2e9f4c0a18 -> c05cb1c54b88, full precision times on a Flask-made MySQL database

ALTER TABLE `notification` MODIFY `timestamp` DOUBLE NOT NULL;

ALTER TABLE `post` MODIFY `timestamp` DATETIME(6) NOT NULL;

ALTER TABLE `message` MODIFY `timestamp` DATETIME(6) NOT NULL;

ALTER TABLE `user` MODIFY `last_seen` DATETIME(6) NULL, MODIFY `last_message_read_time` DATETIME(6) NULL, MODIFY `token_expiration` DATETIME(6) NULL;

DELETE FROM `alembic_version` WHERE version_num = '7b2e9f4c0a18';

INSERT INTO `alembic_version` (version_num) VALUES ('c05cb1c54b88');

-- Running upgrade c05cb1c54b88 -> eb734d6789e7, username keys

ALTER TABLE `user` ADD COLUMN `username_key` VARCHAR(64);

CREATE UNIQUE INDEX `ix_user_username_key` ON `user` (`username_key`);

ALTER TABLE `user` MODIFY `username` VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;

DELETE FROM `alembic_version` WHERE version_num = 'c05cb1c54b88';

INSERT INTO `alembic_version` (version_num) VALUES ('eb734d6789e7');

-- Running upgrade eb734d6789e7 -> 95ca808f003e, background jobs: job outbox, message and task indexes

CREATE TABLE `job_outbox` (
	`id` INTEGER NOT NULL AUTO_INCREMENT,
	`kind` VARCHAR(64) NOT NULL,
	`args` LONGBLOB NOT NULL,
	`max_attempts` INTEGER NOT NULL,
	`created_at` DATETIME(6) NOT NULL,
	CONSTRAINT `pk_job_outbox` PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE INDEX `ix_message_recipient_id_timestamp` ON `message` (`recipient_id`, `timestamp`);

CREATE INDEX `ix_task_user_id_complete` ON `task` (`user_id`, `complete`);

DROP INDEX IF EXISTS `fk_task_user_id_user` ON `task`;

DELETE FROM `alembic_version` WHERE version_num = 'eb734d6789e7';

INSERT INTO `alembic_version` (version_num) VALUES ('95ca808f003e');

-- Running upgrade 95ca808f003e -> b3ea10ae6597, user language

ALTER TABLE `user` ADD COLUMN `language` VARCHAR(5);

DELETE FROM `alembic_version` WHERE version_num = '95ca808f003e';

INSERT INTO `alembic_version` (version_num) VALUES ('b3ea10ae6597');

-- Running upgrade b3ea10ae6597 -> 4c2b5f67ca6d, user disabled_at

ALTER TABLE `user` ADD COLUMN `disabled_at` DATETIME(6);

DELETE FROM `alembic_version` WHERE version_num = 'b3ea10ae6597';

INSERT INTO `alembic_version` (version_num) VALUES ('4c2b5f67ca6d');

-- Running upgrade 4c2b5f67ca6d -> 843767ed7abf, api tokens

CREATE TABLE `api_token` (
	`id` INTEGER NOT NULL AUTO_INCREMENT,
	`token_hash` VARCHAR(64) NOT NULL,
	`user_id` INTEGER NOT NULL,
	`password_fp` VARCHAR(64) NOT NULL,
	`created_at` DATETIME(6) NOT NULL,
	`expires_at` DATETIME(6) NOT NULL,
	CONSTRAINT `pk_api_token` PRIMARY KEY (`id`),
	CONSTRAINT `fk_api_token_user_id_user` FOREIGN KEY(`user_id`) REFERENCES `user` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE INDEX `ix_api_token_expires_at` ON `api_token` (`expires_at`);

CREATE UNIQUE INDEX `ix_api_token_token_hash` ON `api_token` (`token_hash`);

CREATE INDEX `ix_api_token_user_id` ON `api_token` (`user_id`);

DROP INDEX IF EXISTS `fk_api_token_user_id_user` ON `api_token`;

DELETE FROM `alembic_version` WHERE version_num = '4c2b5f67ca6d';

INSERT INTO `alembic_version` (version_num) VALUES ('843767ed7abf');

-- Running upgrade 843767ed7abf -> ccdf2d4e5972, post index for timelines

CREATE INDEX `ix_post_user_id_timestamp_id` ON `post` (`user_id`, `timestamp`, `id`);

DELETE FROM `alembic_version` WHERE version_num = '843767ed7abf';

INSERT INTO `alembic_version` (version_num) VALUES ('ccdf2d4e5972');

-- Running upgrade ccdf2d4e5972 -> 84fc1485177b, full-text search

ALTER TABLE `post` ADD FULLTEXT INDEX `ft_post_body` (`body`), ALGORITHM=COPY;

DELETE FROM `alembic_version` WHERE version_num = 'ccdf2d4e5972';

INSERT INTO `alembic_version` (version_num) VALUES ('84fc1485177b');

-- Running upgrade 84fc1485177b -> 6a1d3f8b2c95, materialized timelines

CREATE TABLE `timeline_state` (
	`user_id` BIGINT NOT NULL,
	`built_at` DATETIME(6) NOT NULL,
	CONSTRAINT `pk_timeline_state` PRIMARY KEY (`user_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `timeline` (
	`user_id` BIGINT NOT NULL,
	`timestamp` DATETIME(6) NOT NULL,
	`post_id` INTEGER NOT NULL,
	CONSTRAINT `pk_timeline` PRIMARY KEY (`user_id`, `timestamp`, `post_id`),
	CONSTRAINT `fk_timeline_user_id_timeline_state` FOREIGN KEY(`user_id`) REFERENCES `timeline_state` (`user_id`) ON DELETE CASCADE,
	CONSTRAINT `fk_timeline_post_id_post` FOREIGN KEY(`post_id`) REFERENCES `post` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE INDEX `ix_timeline_post_id` ON `timeline` (`post_id`);

DROP INDEX IF EXISTS `fk_timeline_post_id_post` ON `timeline`;

DELETE FROM `alembic_version` WHERE version_num = '84fc1485177b';

INSERT INTO `alembic_version` (version_num) VALUES ('6a1d3f8b2c95');

