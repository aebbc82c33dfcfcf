# microblog's container image (the tutorial's chapter 19, in Go): a static binary on an
# empty base. Build and run:
#
#   docker build -t microblog:latest .
#   docker run -p 8000:5000 -e SECRET_KEY=... -e MICROBLOG_ENV=production \
#     -e BASE_URL=http://localhost:8000 -v microblog-data:/data microblog:latest
#
# deploy/compose.yaml runs it with PostgreSQL, Redis and a separate worker; docs/deploy.md
# explains each setting.

# --- build: a static binary (SQLite is modernc.org/sqlite, pure Go: no cgo) ----------
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/microblog ./cmd/microblog \
 && mkdir -p /out/data /out/tmp && chmod 1777 /out/tmp \
 && cp /etc/ssl/certs/ca-certificates.crt /out/ca-certificates.crt

# --- image: the binary, CA certificates (SMTP over TLS, translators), nothing else -----
# Templates, static files, translations and the database revisions are embedded in the
# binary.
FROM scratch
COPY --from=build /out/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/tmp /tmp
COPY --from=build --chown=65532:65532 /out/data /data
COPY --from=build /out/microblog /microblog
# An unprivileged user (no /etc/passwd entry is needed by a Go binary).
USER 65532:65532
WORKDIR /data
# PORT: listen on every interface at 5000. LOG_TO_STDOUT: logs to the container's
# output, not to a file. DATABASE_URL: SQLite in the /data volume unless one is given.
# DATABASE_WAIT: wait up to two minutes for a database container that is still starting
# (as the tutorial's boot.sh retries `flask db upgrade`).
ENV PORT=5000 \
    LOG_TO_STDOUT=1 \
    DATABASE_URL=sqlite:////data/app.db \
    DATABASE_WAIT=2m
VOLUME /data
EXPOSE 5000
# The binary is its own probe: the image has no curl. --ready: the database answers, is at
# the head revision, and the job queue answers.
HEALTHCHECK --interval=15s --timeout=5s --start-period=2m --retries=3 \
  CMD ["/microblog", "healthcheck", "--ready"]
# `run` applies pending revisions, then serves; `worker` runs background jobs alone.
ENTRYPOINT ["/microblog"]
CMD ["run"]
