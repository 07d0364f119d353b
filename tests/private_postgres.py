"""A PostgreSQL cluster of the tests' own, on a port of its own, set up as the deployment's
image sets up its own (deploy/postgres/): WAL archived to a pgBackRest repository with the
image's settings and pgbackrest.conf (only the paths and the port moved to a temporary
folder), the stanza and a first backup made by init-backups.sh, each service's role and
database by init-databases.sh, and restored by restore.sh. PostgreSQL will not run as root:
then every server-side command runs as the `postgres` user."""
import json
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from shared.settings import PROJECT_ROOT

IMAGE = PROJECT_ROOT / "deploy" / "postgres"


def server_programs() -> Path:
    """Where initdb and pg_ctl are: on PATH, else Debian's newest /usr/lib/postgresql/N/bin."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    assert versions, "PostgreSQL's server programs are missing: deploy/ensure-postgres.sh"
    return versions[-1]


def image_settings() -> dict[str, str]:
    """The `-c name=value` settings the image starts PostgreSQL with (its Dockerfile's CMD)."""
    text = (IMAGE / "Dockerfile").read_text().replace("\\\n", " ")
    [command] = [line[len("CMD"):] for line in text.splitlines() if line.startswith("CMD")]
    words = json.loads(command)
    return dict(words[i + 1].split("=", 1) for i, word in enumerate(words) if word == "-c")


class PrivateCluster:
    def __init__(self, port: int):
        self.port = port
        self.home = Path(tempfile.mkdtemp(prefix="phf-postgres-"))
        self.data = self.home / "data"
        # The image's scripts and settings copied in: PostgreSQL's user may not reach the
        # checkout (a clone under a private temporary folder, say).
        self.image = self.home / "image"
        shutil.copytree(IMAGE, self.image)
        as_root = os.geteuid() == 0
        self._as_postgres = ["runuser", "-u", "postgres", "--"] if as_root else []
        if as_root:
            for path in (self.home, self.image, *self.image.rglob("*")):
                shutil.chown(path, "postgres", "postgres")
        self.programs = server_programs()
        self.env = {**os.environ, "PGDATA": str(self.data),
                    "PGBACKREST_CONFIG": str(self.image / "pgbackrest.conf"),
                    "PGBACKREST_REPO1_PATH": str(self.home / "repo"),
                    "PGBACKREST_REPO1_CIPHER_PASS": uuid.uuid4().hex,
                    "PGBACKREST_PG1_PATH": str(self.data),
                    "PGBACKREST_PG1_PORT": str(port),
                    "PGBACKREST_PG1_SOCKET_PATH": str(self.home),
                    "PGBACKREST_LOCK_PATH": str(self.home / "lock"),
                    "PGBACKREST_LOG_LEVEL_CONSOLE": "warn"}

    def url(self, database: str, user: str = "postgres") -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def run(self, *command: str, env: dict | None = None) -> str:
        """A command as PostgreSQL's user; its output, or AssertionError with what it said."""
        done = subprocess.run([*self._as_postgres, *command], env={**self.env, **(env or {})},
                              cwd=self.home, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{command}: {done.stdout}{done.stderr}"
        return done.stdout

    def create(self) -> None:
        """A new cluster, started, with its stanza, a first full backup and each service's
        role and database, as the image makes them on a new data directory."""
        self.run(str(self.programs / "initdb"), "--pgdata", str(self.data), "--username",
                 "postgres", "--auth", "trust", "--encoding", "UTF8", "--no-sync")
        settings = {"port": str(self.port), "listen_addresses": "'127.0.0.1'",
                    "unix_socket_directories": f"'{self.home}'",
                    **{name: "'" + value.replace("'", "''") + "'"
                       for name, value in image_settings().items()}}
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())
        self.start()
        self.run(str(self.image / "init-backups.sh"))
        passwords = {f"{name.upper()}_DB_PASSWORD": uuid.uuid4().hex
                     for name in ("fund", "insurance", "volunteers", "families", "notifications",
                                  "gateway")}
        self.run(str(self.image / "init-databases.sh"),
                 env={"PGHOST": "127.0.0.1", "PGPORT": str(self.port), **passwords})

    def start(self) -> None:
        """Started, and open once it has replayed whatever it must."""
        self.pg_ctl("--log", str(self.home / "server.log"), "--wait", "--timeout", "120", "start")

    def stop(self) -> None:
        """A clean stop: PostgreSQL archives the WAL segment it was writing, too."""
        self.pg_ctl("--mode", "fast", "--wait", "stop")

    def pg_ctl(self, *command: str) -> None:
        self.run(str(self.programs / "pg_ctl"), "--pgdata", str(self.data), *command)

    def backup(self) -> None:
        self.run("pgbackrest", "--stanza=phf", "--type=full", "backup")

    def restore(self) -> None:
        self.run(str(self.image / "restore.sh"))

    def sql(self, query: str, database: str = "postgres", user: str = "postgres") -> list[tuple]:
        done = subprocess.run(["psql", "--no-psqlrc", "--tuples-only", "--no-align",
                               "--field-separator=|", "--command", query,
                               self.url(database, user)], capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr
        return [tuple(line.split("|")) for line in done.stdout.splitlines() if line]

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.pg_ctl("--mode", "immediate", "stop")
        shutil.rmtree(self.home, ignore_errors=True)
