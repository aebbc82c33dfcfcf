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
INSERT INTO public.followers VALUES (3, 4);


--
-- Data for Name: message; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: notification; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: post; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.post VALUES (1, 'I am Susan with a capital S.', '2024-04-01 12:01:00.1', 1, 'en');
INSERT INTO public.post VALUES (2, 'i am susan in lower case.', '2024-04-01 12:02:00.2', 2, 'en');
INSERT INTO public.post VALUES (3, 'Bonjour, je suis Émile.', '2024-04-01 12:03:00.3', 5, 'fr');


--
-- Data for Name: task; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: user; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public."user" VALUES (1, 'Susan', 'susan@example.com', 'scrypt:32768:8:1$8xMcwDWoBq6ecy3M$915cf3bb3e8713974329912522ad22018ed1c6fa1312e7010e47d36b762b7124ce5fdcf6f8e9e87e55311f6386785e85496d059f3a960388900c330dedc5f8dd', NULL, '2024-04-01 12:00:00', NULL, NULL, NULL);
INSERT INTO public."user" VALUES (2, 'susan', 'susan.lower@example.com', 'pbkdf2:sha256:260000$Br2NzLeAZZ1gsLXm$ad72f14d59aacbe7cf10859fcb54bca3480c5db6385e8c52ba88b812b9faacc6', NULL, '2024-04-01 12:00:00', NULL, NULL, NULL);
INSERT INTO public."user" VALUES (3, 'bob', 'Bob@Example.com', 'scrypt:32768:8:1$qMAGwnVetFcHZIbk$67f01665b6a314b7caece414d864216581d1caba73edd002d81793293657a097d9d53606c087e6d708740f6cdd677a794d748db363f2133fc085f53b3add6d2d', NULL, '2024-04-01 12:00:00', NULL, NULL, NULL);
INSERT INTO public."user" VALUES (4, 'robert', 'bob@example.com', 'pbkdf2:sha256:260000$T3kSdlTB7lBKmrj4$cd36fb960ba9ade3aaa3853d0f69211f35e6217b3d90cacbe2b3587df22a883f', NULL, '2024-04-01 12:00:00', NULL, NULL, NULL);
INSERT INTO public."user" VALUES (5, 'Émile', 'emile@example.fr', 'scrypt:32768:8:1$SAaAeaIC71dJGbjd$498108ad76c5726b660bded18cba9da2e9ddfec6c5f0666f36589cafbb88acd3aa0d06aa9df5977c4f42f8bb7199ec8e99481d05ce3d13b77bb1b4b2b83fbdcf', NULL, '2024-04-01 12:00:00', NULL, NULL, NULL);
INSERT INTO public."user" VALUES (6, 'émile', 'emile2@example.fr', 'scrypt:32768:8:1$bGVIbR1mINnBTCaq$16f825df848f1b05df2f5674310b076ecfb769ae86538cfa1f9744c48b13dabceee89932b9cb9ba110c3b0aec59f2c9a2c6e6cf7ba132a77abe443cb40018e44', NULL, '2024-04-01 12:00:00', NULL, NULL, NULL);
INSERT INTO public."user" VALUES (7, 'alice', 'alice@example.com', 'scrypt:32768:8:1$xqZd6htjIw9Udfht$cca738a61a2d0f147b25690258346a45417727dd95208379906137109e3f5440cb6fa1ba2daa874f6bc5fc9acf419da796fd6e1f93d70ea65a080b6f3f570297', NULL, '2024-04-01 12:00:00', NULL, NULL, NULL);


--
-- Name: message_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.message_id_seq', 1, false);


--
-- Name: notification_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.notification_id_seq', 1, false);


--
-- Name: post_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.post_id_seq', 3, true);


--
-- Name: user_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.user_id_seq', 7, true);


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


