/*M!999999\- enable the sandbox mode */ 

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET @OLD_CHARACTER_SET_RESULTS=@@CHARACTER_SET_RESULTS */;
/*!40101 SET @OLD_COLLATION_CONNECTION=@@COLLATION_CONNECTION */;
/*!40101 SET NAMES utf8mb4 */;
/*!40103 SET @OLD_TIME_ZONE=@@TIME_ZONE */;
/*!40103 SET TIME_ZONE='+00:00' */;
/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;
/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;
/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;
/*!40111 SET @OLD_SQL_NOTES=@@SQL_NOTES, SQL_NOTES=0 */;
DROP TABLE IF EXISTS `alembic_version`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `alembic_version` (
  `version_num` varchar(32) NOT NULL,
  PRIMARY KEY (`version_num`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `alembic_version` WRITE;
/*!40000 ALTER TABLE `alembic_version` DISABLE KEYS */;
INSERT INTO `alembic_version` VALUES
('834b1a697901');
/*!40000 ALTER TABLE `alembic_version` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `followers`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `followers` (
  `follower_id` int(11) NOT NULL,
  `followed_id` int(11) NOT NULL,
  PRIMARY KEY (`follower_id`,`followed_id`),
  KEY `followed_id` (`followed_id`),
  CONSTRAINT `followers_ibfk_1` FOREIGN KEY (`followed_id`) REFERENCES `user` (`id`),
  CONSTRAINT `followers_ibfk_2` FOREIGN KEY (`follower_id`) REFERENCES `user` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `followers` WRITE;
/*!40000 ALTER TABLE `followers` DISABLE KEYS */;
INSERT INTO `followers` VALUES
(1,2),
(1,3),
(2,1),
(2,3),
(3,1),
(4,1),
(6,4);
/*!40000 ALTER TABLE `followers` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `message`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `message` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `sender_id` int(11) NOT NULL,
  `recipient_id` int(11) NOT NULL,
  `body` varchar(140) NOT NULL,
  `timestamp` datetime NOT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_message_recipient_id` (`recipient_id`),
  KEY `ix_message_sender_id` (`sender_id`),
  KEY `ix_message_timestamp` (`timestamp`),
  CONSTRAINT `message_ibfk_1` FOREIGN KEY (`recipient_id`) REFERENCES `user` (`id`),
  CONSTRAINT `message_ibfk_2` FOREIGN KEY (`sender_id`) REFERENCES `user` (`id`)
) ENGINE=InnoDB AUTO_INCREMENT=7 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `message` WRITE;
/*!40000 ALTER TABLE `message` DISABLE KEYS */;
INSERT INTO `message` VALUES
(1,2,1,'Hi Susan, lunch tomorrow?','2024-02-29 10:00:00'),
(2,3,1,'Olá Susan! Tudo bem? 😊','2024-03-01 10:00:00'),
(3,4,1,'こんにちは、スーザンさん','2024-03-02 07:45:12'),
(4,1,2,'Sure, noon works.','2024-02-29 11:00:00'),
(5,1,3,'Tudo ótimo!','2024-03-01 10:05:00'),
(6,2,3,'Bom dia, Ana.','2024-03-02 20:59:59');
/*!40000 ALTER TABLE `message` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `notification`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `notification` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `name` varchar(128) NOT NULL,
  `user_id` int(11) NOT NULL,
  `timestamp` float NOT NULL,
  `payload_json` text NOT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_notification_name` (`name`),
  KEY `ix_notification_timestamp` (`timestamp`),
  KEY `ix_notification_user_id` (`user_id`),
  CONSTRAINT `notification_ibfk_1` FOREIGN KEY (`user_id`) REFERENCES `user` (`id`)
) ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `notification` WRITE;
/*!40000 ALTER TABLE `notification` DISABLE KEYS */;
INSERT INTO `notification` VALUES
(1,'unread_message_count',1,1709290000,'2'),
(2,'unread_message_count',2,1709200000,'1'),
(3,'task_progress',1,1709290000,'{\"task_id\": \"3f2b0c1e-8a4d-4c1b-9e2f-0a1b2c3d4e5f\", \"progress\": 100}'),
(4,'task_progress',3,1709300000,'{\"task_id\": \"9d7e6f5a-4b3c-4d2e-8f1a-0b9c8d7e6f5a\", \"progress\": 42}');
/*!40000 ALTER TABLE `notification` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `post`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `post` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `body` varchar(140) NOT NULL,
  `timestamp` datetime NOT NULL,
  `user_id` int(11) NOT NULL,
  `language` varchar(5) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_post_timestamp` (`timestamp`),
  KEY `ix_post_user_id` (`user_id`),
  CONSTRAINT `post_ibfk_1` FOREIGN KEY (`user_id`) REFERENCES `user` (`id`)
) ENGINE=InnoDB AUTO_INCREMENT=9 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `post` WRITE;
/*!40000 ALTER TABLE `post` DISABLE KEYS */;
INSERT INTO `post` VALUES
(1,'Hello, world! My first post.','2024-01-10 08:00:00',1,'en'),
(2,'¡Hola a todos! ¿Qué tal el día?','2024-01-11 12:30:45',2,'es'),
(3,'Ação, emoção e coração: três palavras com til.','2024-01-12 14:15:16',3,'pt'),
(4,'今日はいい天気ですね。🌸','2024-01-13 00:00:00',4,NULL),
(5,'Exactly one hundred and forty characters: ação, café, naïve — this post sits right at the String(140) limit of post.body!!..................','2024-01-14 23:59:59',1,'en'),
(6,'🎉🎉🎉','2024-01-15 09:30:00',6,''),
(7,'Quotes \' and \" and backslash \\ and percent % and semicolon ;','2024-01-16 16:16:16',2,'en'),
(8,'Line one\nLine two	tabbed','2024-01-17 07:07:07',3,NULL);
/*!40000 ALTER TABLE `post` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `task`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `task` (
  `id` varchar(36) NOT NULL,
  `name` varchar(128) NOT NULL,
  `description` varchar(128) DEFAULT NULL,
  `user_id` int(11) NOT NULL,
  `complete` tinyint(1) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `user_id` (`user_id`),
  KEY `ix_task_name` (`name`),
  CONSTRAINT `task_ibfk_1` FOREIGN KEY (`user_id`) REFERENCES `user` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `task` WRITE;
/*!40000 ALTER TABLE `task` DISABLE KEYS */;
INSERT INTO `task` VALUES
('3f2b0c1e-8a4d-4c1b-9e2f-0a1b2c3d4e5f','export_posts','Exporting posts...',1,1),
('9d7e6f5a-4b3c-4d2e-8f1a-0b9c8d7e6f5a','export_posts','Exporting posts...',3,0),
('c0ffee00-1234-4abc-8def-0123456789ab','export_posts',NULL,2,1);
/*!40000 ALTER TABLE `task` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `user`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `user` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `username` varchar(64) NOT NULL,
  `email` varchar(120) NOT NULL,
  `password_hash` varchar(256) DEFAULT NULL,
  `about_me` varchar(140) DEFAULT NULL,
  `last_seen` datetime DEFAULT NULL,
  `last_message_read_time` datetime DEFAULT NULL,
  `token` varchar(32) DEFAULT NULL,
  `token_expiration` datetime DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ix_user_email` (`email`),
  UNIQUE KEY `ix_user_username` (`username`),
  UNIQUE KEY `ix_user_token` (`token`)
) ENGINE=InnoDB AUTO_INCREMENT=7 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `user` WRITE;
/*!40000 ALTER TABLE `user` DISABLE KEYS */;
INSERT INTO `user` VALUES
(1,'susan','susan@example.com','scrypt:32768:8:1$ERLDBtZTsO8cDt55$84ec0dfc59801a555cc7dedd1a40d4685d45e4c142bd436d2d9e6f16dd11ad6f2fd6571e751d1d1ca087efd7d58c518c51e862e531399a6de226aeedc762ced4','Olá! Ação e emoção 🎉 — café ☕','2024-03-01 09:15:30','2024-03-01 09:00:00','0123456789abcdef0123456789abcdef','2030-01-01 00:00:00'),
(2,'john','john@example.com','pbkdf2:sha256:260000$81wpJrAwwK34PjMN$317840064f1fe11bc010e402e7e7c7aa31cba549412dbe4bc9d41668a2da99b5','Just John.','2024-02-28 18:00:00',NULL,'fedcba9876543210fedcba9876543210','2020-06-15 12:00:00'),
(3,'ana','ana.souza@example.com.br','scrypt:32768:8:1$zf8YR6ebY4Jb74n9$616da02d478cc1634ec93dd179e1c84ddb8abafe86fbef383378d00afb71f53de18710a81720185a6622b3b713da4eef048c3f4ac04e5ecf3f9f991d231602d5','Programadora em São Paulo. 日本語も少し。','2024-03-02 21:05:09','2024-03-02 21:00:00',NULL,NULL),
(4,'mei','mei@example.cn','pbkdf2:sha256:600000$gTEGDR6tDT9bdCh5$82c2780da7ffa4192242e516b2b9593ebd075366ee5f3805e00764ed79d1aaaa','你好，世界 🌏','2024-01-20 03:04:05',NULL,NULL,NULL),
(5,'ghost','ghost@example.com',NULL,NULL,NULL,NULL,NULL,NULL),
(6,'bob','bob@example.com','scrypt:32768:8:1$gppl6bNrRV07VxY7$74a078fb3622cb7c54238ea04ff1062e972b39d7e55c5dd37b039bac8e6f835ac38295b26c087c68120efc729e6ff04b9009ceee782c000160f734b63c72768a','','2024-02-10 10:10:10',NULL,NULL,NULL);
/*!40000 ALTER TABLE `user` ENABLE KEYS */;
UNLOCK TABLES;
/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;

/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;
/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;
/*!40014 SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS */;
/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;
/*!40101 SET CHARACTER_SET_RESULTS=@OLD_CHARACTER_SET_RESULTS */;
/*!40101 SET COLLATION_CONNECTION=@OLD_COLLATION_CONNECTION */;
/*!40111 SET SQL_NOTES=@OLD_SQL_NOTES */;

