--
-- PostgreSQL database dump
--


-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: alembic_version; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.alembic_version (
    version_num character varying(32) NOT NULL
);


--
-- Name: followers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.followers (
    follower_id integer NOT NULL,
    followed_id integer NOT NULL
);


--
-- Name: message; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.message (
    id integer NOT NULL,
    sender_id integer NOT NULL,
    recipient_id integer NOT NULL,
    body character varying(140) NOT NULL,
    "timestamp" timestamp without time zone NOT NULL
);


--
-- Name: message_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.message_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: message_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.message_id_seq OWNED BY public.message.id;


--
-- Name: notification; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.notification (
    id integer NOT NULL,
    name character varying(128) NOT NULL,
    user_id integer NOT NULL,
    "timestamp" double precision NOT NULL,
    payload_json text NOT NULL
);


--
-- Name: notification_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.notification_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: notification_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.notification_id_seq OWNED BY public.notification.id;


--
-- Name: post; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.post (
    id integer NOT NULL,
    body character varying(140) NOT NULL,
    "timestamp" timestamp without time zone NOT NULL,
    user_id integer NOT NULL,
    language character varying(5)
);


--
-- Name: post_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.post_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: post_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.post_id_seq OWNED BY public.post.id;


--
-- Name: task; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.task (
    id character varying(36) NOT NULL,
    name character varying(128) NOT NULL,
    description character varying(128),
    user_id integer NOT NULL,
    complete boolean NOT NULL
);


--
-- Name: user; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public."user" (
    id integer NOT NULL,
    username character varying(64) NOT NULL,
    email character varying(120) NOT NULL,
    password_hash character varying(256),
    about_me character varying(140),
    last_seen timestamp without time zone,
    last_message_read_time timestamp without time zone,
    token character varying(32),
    token_expiration timestamp without time zone
);


--
-- Name: user_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.user_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: user_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.user_id_seq OWNED BY public."user".id;


--
-- Name: message id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.message ALTER COLUMN id SET DEFAULT nextval('public.message_id_seq'::regclass);


--
-- Name: notification id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notification ALTER COLUMN id SET DEFAULT nextval('public.notification_id_seq'::regclass);


--
-- Name: post id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.post ALTER COLUMN id SET DEFAULT nextval('public.post_id_seq'::regclass);


--
-- Name: user id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public."user" ALTER COLUMN id SET DEFAULT nextval('public.user_id_seq'::regclass);


--
-- Data for Name: alembic_version; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.alembic_version VALUES ('834b1a697901');


--
-- Data for Name: followers; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.followers VALUES (1, 2);
INSERT INTO public.followers VALUES (2, 1);
INSERT INTO public.followers VALUES (1, 3);
INSERT INTO public.followers VALUES (3, 1);
INSERT INTO public.followers VALUES (4, 1);
INSERT INTO public.followers VALUES (2, 3);
INSERT INTO public.followers VALUES (6, 4);


--
-- Data for Name: message; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.message VALUES (1, 2, 1, 'Hi Susan, lunch tomorrow?', '2024-02-29 10:00:00.25');
INSERT INTO public.message VALUES (2, 3, 1, 'Olá Susan! Tudo bem? 😊', '2024-03-01 10:00:00.5');
INSERT INTO public.message VALUES (3, 4, 1, 'こんにちは、スーザンさん', '2024-03-02 07:45:12.345678');
INSERT INTO public.message VALUES (4, 1, 2, 'Sure, noon works.', '2024-02-29 11:00:00');
INSERT INTO public.message VALUES (5, 1, 3, 'Tudo ótimo!', '2024-03-01 10:05:00.0001');
INSERT INTO public.message VALUES (6, 2, 3, 'Bom dia, Ana.', '2024-03-02 20:59:59.999999');


--
-- Data for Name: notification; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.notification VALUES (1, 'unread_message_count', 1, 1709287200.5, '2');
INSERT INTO public.notification VALUES (2, 'unread_message_count', 2, 1709204400.123456, '1');
INSERT INTO public.notification VALUES (3, 'task_progress', 1, 1709290000.75, '{"task_id": "3f2b0c1e-8a4d-4c1b-9e2f-0a1b2c3d4e5f", "progress": 100}');
INSERT INTO public.notification VALUES (4, 'task_progress', 3, 1709300000.015625, '{"task_id": "9d7e6f5a-4b3c-4d2e-8f1a-0b9c8d7e6f5a", "progress": 42}');


--
-- Data for Name: post; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.post VALUES (1, 'Hello, world! My first post.', '2024-01-10 08:00:00.000001', 1, 'en');
INSERT INTO public.post VALUES (2, '¡Hola a todos! ¿Qué tal el día?', '2024-01-11 12:30:45.5', 2, 'es');
INSERT INTO public.post VALUES (3, 'Ação, emoção e coração: três palavras com til.', '2024-01-12 14:15:16.171819', 3, 'pt');
INSERT INTO public.post VALUES (4, '今日はいい天気ですね。🌸', '2024-01-13 00:00:00', 4, NULL);
INSERT INTO public.post VALUES (5, 'Exactly one hundred and forty characters: ação, café, naïve — this post sits right at the String(140) limit of post.body!!..................', '2024-01-14 23:59:59.999999', 1, 'en');
INSERT INTO public.post VALUES (6, '🎉🎉🎉', '2024-01-15 09:30:00.25', 6, '');
INSERT INTO public.post VALUES (7, 'Quotes '' and " and backslash \ and percent % and semicolon ;', '2024-01-16 16:16:16.161616', 2, 'en');
INSERT INTO public.post VALUES (8, 'Line one
Line two	tabbed', '2024-01-17 07:07:07.070707', 3, NULL);


--
-- Data for Name: task; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.task VALUES ('3f2b0c1e-8a4d-4c1b-9e2f-0a1b2c3d4e5f', 'export_posts', 'Exporting posts...', 1, true);
INSERT INTO public.task VALUES ('9d7e6f5a-4b3c-4d2e-8f1a-0b9c8d7e6f5a', 'export_posts', 'Exporting posts...', 3, false);
INSERT INTO public.task VALUES ('c0ffee00-1234-4abc-8def-0123456789ab', 'export_posts', NULL, 2, true);


--
-- Data for Name: user; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public."user" VALUES (1, 'susan', 'susan@example.com', 'scrypt:32768:8:1$ERLDBtZTsO8cDt55$84ec0dfc59801a555cc7dedd1a40d4685d45e4c142bd436d2d9e6f16dd11ad6f2fd6571e751d1d1ca087efd7d58c518c51e862e531399a6de226aeedc762ced4', 'Olá! Ação e emoção 🎉 — café ☕', '2024-03-01 09:15:30.123456', '2024-03-01 09:00:00', '0123456789abcdef0123456789abcdef', '2030-01-01 00:00:00');
INSERT INTO public."user" VALUES (2, 'john', 'john@example.com', 'pbkdf2:sha256:260000$81wpJrAwwK34PjMN$317840064f1fe11bc010e402e7e7c7aa31cba549412dbe4bc9d41668a2da99b5', 'Just John.', '2024-02-28 18:00:00', NULL, 'fedcba9876543210fedcba9876543210', '2020-06-15 12:00:00');
INSERT INTO public."user" VALUES (3, 'ana', 'ana.souza@example.com.br', 'scrypt:32768:8:1$zf8YR6ebY4Jb74n9$616da02d478cc1634ec93dd179e1c84ddb8abafe86fbef383378d00afb71f53de18710a81720185a6622b3b713da4eef048c3f4ac04e5ecf3f9f991d231602d5', 'Programadora em São Paulo. 日本語も少し。', '2024-03-02 21:05:09.654321', '2024-03-02 21:00:00.0005', NULL, NULL);
INSERT INTO public."user" VALUES (4, 'mei', 'mei@example.cn', 'pbkdf2:sha256:600000$gTEGDR6tDT9bdCh5$82c2780da7ffa4192242e516b2b9593ebd075366ee5f3805e00764ed79d1aaaa', '你好，世界 🌏', '2024-01-20 03:04:05.000006', NULL, NULL, NULL);
INSERT INTO public."user" VALUES (5, 'ghost', 'ghost@example.com', NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO public."user" VALUES (6, 'bob', 'bob@example.com', 'scrypt:32768:8:1$gppl6bNrRV07VxY7$74a078fb3622cb7c54238ea04ff1062e972b39d7e55c5dd37b039bac8e6f835ac38295b26c087c68120efc729e6ff04b9009ceee782c000160f734b63c72768a', '', '2024-02-10 10:10:10.10101', NULL, NULL, NULL);


--
-- Name: message_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.message_id_seq', 6, true);


--
-- Name: notification_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.notification_id_seq', 4, true);


--
-- Name: post_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.post_id_seq', 8, true);


--
-- Name: user_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.user_id_seq', 6, true);


--
-- Name: alembic_version alembic_version_pkc; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.alembic_version
    ADD CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num);


--
-- Name: followers followers_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.followers
    ADD CONSTRAINT followers_pkey PRIMARY KEY (follower_id, followed_id);


--
-- Name: message message_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.message
    ADD CONSTRAINT message_pkey PRIMARY KEY (id);


--
-- Name: notification notification_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notification
    ADD CONSTRAINT notification_pkey PRIMARY KEY (id);


--
-- Name: post post_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.post
    ADD CONSTRAINT post_pkey PRIMARY KEY (id);


--
-- Name: task task_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task
    ADD CONSTRAINT task_pkey PRIMARY KEY (id);


--
-- Name: user user_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public."user"
    ADD CONSTRAINT user_pkey PRIMARY KEY (id);


--
-- Name: ix_message_recipient_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_message_recipient_id ON public.message USING btree (recipient_id);


--
-- Name: ix_message_sender_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_message_sender_id ON public.message USING btree (sender_id);


--
-- Name: ix_message_timestamp; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_message_timestamp ON public.message USING btree ("timestamp");


--
-- Name: ix_notification_name; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_notification_name ON public.notification USING btree (name);


--
-- Name: ix_notification_timestamp; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_notification_timestamp ON public.notification USING btree ("timestamp");


--
-- Name: ix_notification_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_notification_user_id ON public.notification USING btree (user_id);


--
-- Name: ix_post_timestamp; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_post_timestamp ON public.post USING btree ("timestamp");


--
-- Name: ix_post_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_post_user_id ON public.post USING btree (user_id);


--
-- Name: ix_task_name; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_task_name ON public.task USING btree (name);


--
-- Name: ix_user_email; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX ix_user_email ON public."user" USING btree (email);


--
-- Name: ix_user_token; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX ix_user_token ON public."user" USING btree (token);


--
-- Name: ix_user_username; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX ix_user_username ON public."user" USING btree (username);


--
-- Name: followers followers_followed_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.followers
    ADD CONSTRAINT followers_followed_id_fkey FOREIGN KEY (followed_id) REFERENCES public."user"(id);


--
-- Name: followers followers_follower_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.followers
    ADD CONSTRAINT followers_follower_id_fkey FOREIGN KEY (follower_id) REFERENCES public."user"(id);


--
-- Name: message message_recipient_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.message
    ADD CONSTRAINT message_recipient_id_fkey FOREIGN KEY (recipient_id) REFERENCES public."user"(id);


--
-- Name: message message_sender_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.message
    ADD CONSTRAINT message_sender_id_fkey FOREIGN KEY (sender_id) REFERENCES public."user"(id);


--
-- Name: notification notification_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notification
    ADD CONSTRAINT notification_user_id_fkey FOREIGN KEY (user_id) REFERENCES public."user"(id);


--
-- Name: post post_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.post
    ADD CONSTRAINT post_user_id_fkey FOREIGN KEY (user_id) REFERENCES public."user"(id);


--
-- Name: task task_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task
    ADD CONSTRAINT task_user_id_fkey FOREIGN KEY (user_id) REFERENCES public."user"(id);


--
-- PostgreSQL database dump complete
--


