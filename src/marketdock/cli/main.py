"""The `marketdock` command line."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from marketdock.config import example_config, load_config
from marketdock.domain import (
    CarrierMapping,
    ChannelKind,
    FulfilmentChannel,
    KitComponent,
    Listing,
    ListingKind,
)
from marketdock.engine import migrate, outbox
from marketdock.engine.jobs import JobStatus
from marketdock.errors import ConfigError, MarketdockError
from marketdock.flows import stock as stock_flow
from marketdock.flows.orders import REEVALUATE
from marketdock.flows.shipments import RECONFIRM_UNMAPPED
from marketdock.flows.store import carriers as carrier_store
from marketdock.flows.store import listings as listing_store
from marketdock.flows.store import return_labels
from marketdock.hub import Hub
from marketdock.logs import configure_logging
from marketdock.monitor.status import snapshot

app = typer.Typer(help="marketdock: the integration hub between marketplaces and 3PL warehouses.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
jobs_app = typer.Typer(help="Jobs in the outbox.", no_args_is_help=True)
secrets_app = typer.Typer(help="The encrypted secret store.", no_args_is_help=True)
listings_app = typer.Typer(help="Channel SKU to warehouse SKU mappings.", no_args_is_help=True)
carriers_app = typer.Typer(help="Warehouse carrier to marketplace carrier code mappings.",
                           no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(jobs_app, name="jobs")
app.add_typer(secrets_app, name="secrets")
app.add_typer(listings_app, name="listings")
app.add_typer(carriers_app, name="carriers")
labels_app = typer.Typer(help="Pools of return labels for marketplaces that need one per "
                         "parcel (OTTO).", no_args_is_help=True)
app.add_typer(labels_app, name="return-labels")
returns_app = typer.Typer(help="Customer returns: grade announced returns.",
                          no_args_is_help=True)
app.add_typer(returns_app, name="returns")
inbound_app = typer.Typer(help="Goods on their way to a warehouse (ASN / expected receipt).",
                          no_args_is_help=True)
app.add_typer(inbound_app, name="inbound")
stock_app = typer.Typer(help="Published stock and why it is what it is.", no_args_is_help=True)
app.add_typer(stock_app, name="stock")

console = Console()
errors = Console(stderr=True)

ConfigOption = Annotated[Path, typer.Option(
    "--config", "-c", envvar="MARKETDOCK_CONFIG", help="Path of marketdock.toml.")]
DEFAULT_CONFIG = Path("marketdock.toml")


@contextmanager
def open_hub(config_path: Path, *, quiet: bool = False) -> Iterator[Hub]:
    """Load the config and build the hub; a marketdock error ends the command with its
    message and exit code 2."""
    hub = None
    try:
        config = load_config(config_path)
        configure_logging("warning" if quiet else config.log.level, config.log.json_lines)
        hub = Hub(config)
        yield hub
    except MarketdockError as exc:
        errors.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    finally:
        if hub is not None:
            hub.close()


def prepare(hub: Hub) -> None:
    """Embedded SQLite upgrades itself; a shared PostgreSQL is upgraded by the operator."""
    hub.prepare(upgrade=not hub.db.is_postgres)


@app.command()
def init(directory: Annotated[Path, typer.Argument(help="Where to create the config.")] = Path("."),
         force: Annotated[bool, typer.Option(help="Overwrite an existing config.")] = False
         ) -> None:
    """Create marketdock.toml with an example config and its embedded SQLite database."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "marketdock.toml"
    if path.exists() and not force:
        errors.print(f"[red]error:[/red] {path} exists; use --force to overwrite it")
        raise typer.Exit(2)
    path.write_text(example_config(), encoding="utf-8")
    with open_hub(path, quiet=True) as hub:
        hub.prepare(upgrade=True)
        console.print(f"created {path} and the database {hub.db.engine.url}")
    console.print(f"next: [bold]marketdock run --config {path}[/bold]")


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Apply pending schema migrations."""
    with open_hub(config, quiet=True) as hub:
        before = migrate.current_revision(hub.db)
        hub.prepare(upgrade=True)
        console.print(f"schema: {before or 'empty'} -> {migrate.current_revision(hub.db)}")


@app.command()
def status(config: ConfigOption = DEFAULT_CONFIG,
           as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False
           ) -> None:
    """Jobs per status, open business exceptions, schema revision."""
    with open_hub(config, quiet=True) as hub:
        state = snapshot(hub.db)
    if as_json:
        print(json.dumps(state, sort_keys=True))
        return
    table = Table(title=f"marketdock on {state['database']}", show_header=False)
    table.add_row("schema", f"{state['schema_revision']} (needs {state['schema_head']})")
    table.add_row("tenants", ", ".join(state["tenants"]) or "-")
    table.add_row("jobs", "  ".join(f"{k}={v}" for k, v in state["jobs"].items()))
    table.add_row("open exceptions",
                  "  ".join(f"{k}={v}" for k, v in state["open_exceptions"].items()) or "none")
    console.print(table)


@jobs_app.command("list")
def jobs_list(config: ConfigOption = DEFAULT_CONFIG,
              status: Annotated[JobStatus | None, typer.Option(help="Only this status.")] = None,
              tenant: Annotated[str | None, typer.Option(help="Only this tenant.")] = None,
              limit: int = 50,
              as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List jobs, newest first."""
    with open_hub(config, quiet=True) as hub, hub.db.read() as conn:
        found = outbox.list_jobs(conn, status, tenant, limit)
    if as_json:
        print(json.dumps([{"id": j.id, "tenant": j.tenant_id, "task": j.task,
                           "status": j.status.value, "attempts": j.attempts,
                           "last_error": j.last_error} for j in found]))
        return
    table = Table("id", "tenant", "task", "status", "attempts", "last error")
    for job in found:
        table.add_row(str(job.id), job.tenant_id, job.task, job.status.value,
                      f"{job.attempts}/{job.max_attempts}", (job.last_error or "")[:80])
    console.print(table)


@jobs_app.command("replay")
def jobs_replay(ids: Annotated[list[int] | None, typer.Argument(help="Job ids.")] = None,
                config: ConfigOption = DEFAULT_CONFIG,
                all_dead: Annotated[bool, typer.Option("--all-dead")] = False) -> None:
    """Put dead jobs back in the queue."""
    with open_hub(config, quiet=True) as hub:
        targets = list(ids or [])
        if all_dead:
            with hub.db.read() as conn:
                targets += [j.id for j in outbox.list_jobs(conn, JobStatus.DEAD, limit=100_000)]
        if not targets:
            errors.print("[red]error:[/red] name job ids or use --all-dead")
            raise typer.Exit(2)
        failed = 0
        for job_id in targets:
            try:
                outbox.replay(hub.db, job_id, hub.clock.now())
                console.print(f"job {job_id} replayed")
            except MarketdockError as exc:
                failed += 1
                errors.print(f"job {job_id}: {exc}")
    if failed:
        raise typer.Exit(1)


@app.command()
def sync(flow: Annotated[str, typer.Argument(help="The flow to run, e.g. housekeeping.")],
         once: Annotated[bool, typer.Option("--once", help="Run one tick to completion.")] = False,
         tenant: Annotated[str | None, typer.Option(help="Only this tenant.")] = None,
         config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Run one tick of one flow, and every job it causes, to completion."""
    if not once:
        errors.print("[red]error:[/red] sync runs one tick: add --once "
                     "(`marketdock run` runs flows on their schedules)")
        raise typer.Exit(2)
    with open_hub(config) as hub:
        prepare(hub)
        enqueued = hub.enqueue_flow(flow, tenant)
        worker = hub.worker()
        done = 0
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                      console=console, transient=True) as progress:
            bar = progress.add_task(f"{flow}: running", total=None)
            while worker.run(max_jobs=1, until_idle=True):
                done += 1
                progress.update(bar, description=f"{flow}: {done} job(s) done")
        with hub.db.read() as conn:
            counts = outbox.counts(conn)
    console.print(f"{flow}: {len(enqueued)} tick(s) enqueued, {done} job(s) run; "
                  f"dead jobs: {counts['dead']}")
    if counts["dead"]:
        raise typer.Exit(1)


def run_threads(hub: Hub, workers: int, with_scheduler: bool,
                serve: Callable[[threading.Event], None]) -> None:
    """Run the scheduler and worker threads until ``serve`` returns or a signal stops us."""
    stop = threading.Event()
    threads = [threading.Thread(target=hub.worker(f"{hub.worker().name}-{n}").run,
                                args=(stop,), name=f"worker-{n}", daemon=True)
               for n in range(workers)]
    if with_scheduler:
        threads.append(threading.Thread(target=hub.scheduler().run, args=(stop,),
                                        name="scheduler", daemon=True))
    for thread in threads:
        thread.start()
    try:
        serve(stop)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=hub.config.worker.lease_seconds)


def wait_for_signal(stop: threading.Event) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()


@app.command()
def run(config: ConfigOption = DEFAULT_CONFIG,
        workers: Annotated[int | None, typer.Option(help="Worker threads.")] = None,
        server: Annotated[bool, typer.Option(help="Serve the HTTP API.")] = True) -> None:
    """Scheduler, workers and HTTP server in one process: the embedded default."""
    import uvicorn

    from marketdock.api.app import create_app

    with open_hub(config) as hub:
        prepare(hub)
        count = workers or hub.config.worker.concurrency
        host, port = hub.config.server.host, hub.config.server.port

        def serve(stop: threading.Event) -> None:
            if not server:
                wait_for_signal(stop)
                return
            console.print(f"marketdock running: {count} worker(s), scheduler, "
                          f"API on http://{host}:{port} (Ctrl-C stops)")
            api = create_app(hub.db, hub.clock, hub.receive_warehouse_webhook)
            server_ = uvicorn.Server(uvicorn.Config(api, host=host, port=port,
                                                    log_level="warning"))
            with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises Ctrl-C after
                server_.run()                             # its graceful shutdown

        run_threads(hub, count, True, serve)
    console.print("marketdock stopped")


@app.command()
def worker(config: ConfigOption = DEFAULT_CONFIG,
           concurrency: Annotated[int | None, typer.Option(help="Worker threads.")] = None,
           scheduler: Annotated[bool, typer.Option(
               help="Also run the scheduler (ticks are deduplicated across hosts).")] = False
           ) -> None:
    """Workers only: add processes on any host to scale out on PostgreSQL."""
    with open_hub(config) as hub:
        hub.prepare(upgrade=False)
        count = concurrency or hub.config.worker.concurrency
        console.print(f"marketdock worker: {count} thread(s) on {hub.db.dialect} "
                      f"(pid {os.getpid()}; SIGTERM or Ctrl-C stops)")
        run_threads(hub, count, scheduler, wait_for_signal)


@secrets_app.command("set")
def secrets_set(tenant: str, name: str, config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Store a secret encrypted (value from standard input, or asked for without echo)."""
    value = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else \
        typer.prompt(f"value of {name}", hide_input=True)
    with open_hub(config, quiet=True) as hub:
        prepare(hub)
        hub.config.tenant(tenant)
        ref = hub.secrets.put(tenant, name, value)
    console.print(f"stored; reference it in marketdock.toml as {{ stored = \"{ref.stored}\" }}")


def _parse_kit(text: str) -> tuple[KitComponent, ...]:
    components = []
    for part in text.split(","):
        sku, _, quantity = part.strip().partition(":")
        if not sku or not quantity.isdigit() or int(quantity) < 1:
            raise typer.BadParameter(f"{part!r}: write each component as SKU:QUANTITY")
        components.append(KitComponent(warehouse_sku=sku, quantity=int(quantity)))
    return tuple(components)


@listings_app.command("add")
def listings_add(tenant: str, channel: str, channel_sku: str,
                 sku: Annotated[str | None, typer.Option(help="The warehouse SKU.")] = None,
                 kit: Annotated[str | None, typer.Option(
                     help="A kit: SKU:QUANTITY,SKU:QUANTITY")] = None,
                 fba: Annotated[bool, typer.Option(help="Fulfilled by Amazon.")] = False,
                 ean: Annotated[str | None, typer.Option(help="EAN (an attribute only).")] = None,
                 config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Map a channel SKU to a warehouse SKU or a kit; held orders are decided again."""
    if (sku is None) == (kit is None):
        errors.print("[red]error:[/red] give exactly one of --sku or --kit")
        raise typer.Exit(2)
    with open_hub(config, quiet=True) as hub:
        prepare(hub)
        hub.config.tenant(tenant).channel(channel)
        listing = Listing.create(
            tenant_id=tenant, channel_account_id=channel, channel_sku=channel_sku,
            kind=ListingKind.KIT if kit else ListingKind.SINGLE, warehouse_sku=sku,
            components=_parse_kit(kit) if kit else (), ean=ean,
            fulfilment=FulfilmentChannel.FBA if fba else FulfilmentChannel.MERCHANT)
        with hub.db.begin() as conn:
            listing_store.upsert(conn, listing, hub.clock.now())
            hub.registry.defer(conn, hub.clock.now(), REEVALUATE, tenant)
    console.print(f"{channel}/{channel_sku} -> {sku or kit}; held orders will be decided again")


@carriers_app.command("add")
def carriers_add(tenant: str,
                 channel: Annotated[ChannelKind, typer.Option(help="otto or amazon.")],
                 warehouse_carrier: Annotated[str, typer.Option(help="As the warehouse says.")],
                 code: Annotated[str, typer.Option(help="The marketplace's carrier code.")],
                 service: Annotated[str | None, typer.Option(help="Warehouse service.")] = None,
                 name: Annotated[str | None, typer.Option(
                     help="Carrier name (Amazon code Other).")] = None,
                 marketplace: Annotated[str | None, typer.Option(
                     help="Amazon marketplace id.")] = None,
                 config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Map a warehouse carrier to a marketplace carrier code; held packages are retried."""
    with open_hub(config, quiet=True) as hub:
        prepare(hub)
        hub.config.tenant(tenant)
        mapping = CarrierMapping.create(
            tenant_id=tenant, channel=channel, warehouse_carrier=warehouse_carrier,
            warehouse_service=service, marketplace_code=code, carrier_name=name,
            marketplace_id=marketplace)
        with hub.db.begin() as conn:
            carrier_store.save(conn, mapping, hub.clock.now())
            hub.registry.defer(conn, hub.clock.now(), RECONFIRM_UNMAPPED, tenant)
    console.print(f"{channel.value}: {warehouse_carrier} -> {code}")


@returns_app.command("decide")
def returns_decide(tenant: str, channel: str, position_item: str,
                   accept: Annotated[bool, typer.Option("--accept/--reject")],
                   condition: Annotated[str | None, typer.Option(
                       help="A original packaging, B mint, C slightly used, D heavily used, "
                            "E mistake or incomplete.")] = None,
                   reason: Annotated[str | None, typer.Option(
                       help="Reason code, required to reject (e.g. ITEM_DAMAGED).")] = None,
                   config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Accept or reject an announced return; sent to the marketplace once."""
    from marketdock.flows.returns import grade_return

    with open_hub(config, quiet=True) as hub:
        prepare(hub)
        hub.config.tenant(tenant).channel(channel)
        try:
            with hub.db.begin() as conn:
                job_id = grade_return(conn, hub.registry, hub.clock.now(), tenant, channel,
                                      position_item, accept, condition, reason)
        except MarketdockError as exc:
            errors.print(f"[red]error:[/red] {exc}", highlight=False)
            raise typer.Exit(2) from exc
    console.print(f"return {position_item} on {channel}: job {job_id}")


@inbound_app.command("send")
def inbound_send(tenant: str, warehouse: str, reference: str,
                 lines: Annotated[str, typer.Option(help="SKU:QUANTITY,SKU:QUANTITY")],
                 expected: Annotated[str | None, typer.Option(
                     help="Expected arrival, ISO 8601 with offset, e.g. "
                          "2026-12-01T08:00:00+01:00.")] = None,
                 carrier: Annotated[str | None, typer.Option()] = None,
                 tracking: Annotated[str | None, typer.Option()] = None,
                 supplier: Annotated[str | None, typer.Option()] = None,
                 config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Announce goods to a warehouse; receipts that differ become exceptions."""
    import pydantic

    from marketdock.flows import inbound

    try:
        request = inbound.SendInbound(warehouse=warehouse, notice=inbound.Notice(
            reference=reference, expected_at=expected, carrier=carrier,
            tracking_number=tracking, supplier=supplier,
            lines=tuple(inbound.NoticeLine(sku=sku, quantity=quantity)
                        for sku, quantity in ((c.warehouse_sku, c.quantity)
                                              for c in _parse_kit(lines)))))
    except pydantic.ValidationError as exc:
        errors.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    with open_hub(config, quiet=True) as hub:
        prepare(hub)
        hub.config.tenant(tenant).warehouse(warehouse)
        with hub.db.begin() as conn:
            job_id = hub.registry.defer(conn, hub.clock.now(), inbound.SEND, tenant,
                                        request.model_dump(mode="json"))
    console.print(f"inbound {reference} to {warehouse}: job {job_id}")


@stock_app.command("explain")
def stock_explain(tenant: str, channel: str, channel_sku: str,
                  as_json: Annotated[bool, typer.Option("--json")] = False,
                  config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Why a listing shows the quantity it shows: every term of the stock rule."""
    with open_hub(config, quiet=True) as hub:
        prepare(hub)
        hub.config.tenant(tenant).channel(channel)
        with hub.db.read() as conn:
            why = stock_flow.explain(conn, tenant, channel, channel_sku)
    if why is None:
        errors.print(f"[red]error:[/red] {channel}/{channel_sku}: no such listing, or its "
                     "stock was not computed yet (run `marketdock sync stock --once`)")
        raise typer.Exit(1)
    if as_json:
        print(why.model_dump_json())
        return
    for line in why.describe():
        console.print(line, highlight=False)


@labels_app.command("add")
def return_labels_add(
        tenant: str, channel: str,
        carrier: Annotated[str, typer.Option(help="Return carrier, e.g. DHL, GLS, HERMES.")],
        numbers: Annotated[Path, typer.Argument(help="A file with one tracking number per "
                                                     "line ('-' reads standard input).")],
        config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Load return labels into a channel's pool; held packages are retried."""
    text = sys.stdin.read() if str(numbers) == "-" else numbers.read_text("utf-8")
    with open_hub(config, quiet=True) as hub:
        prepare(hub)
        hub.config.tenant(tenant).channel(channel)
        with hub.db.begin() as conn:
            added = return_labels.add(conn, tenant, channel, carrier.upper(),
                                      text.splitlines(), hub.clock.now())
            hub.registry.defer(conn, hub.clock.now(), RECONFIRM_UNMAPPED, tenant)
            left = return_labels.remaining(conn, tenant).get((channel, carrier.upper()), 0)
    console.print(f"{added} new return label(s); {left} unused for {channel} {carrier.upper()}")


@app.command()
def sandbox(
        as_json: Annotated[bool, typer.Option(
            "--json", help="First line of output: one JSON object with URLs and credentials."
        )] = False,
        root: Annotated[Path, typer.Option(help="Folder the SFTP drop serves.")] =
        Path("sandbox-data"),
        otto_port: Annotated[int, typer.Option(help="0: any free port.")] = 8801,
        amazon_port: Annotated[int, typer.Option(help="0: any free port.")] = 8802,
        threepl_port: Annotated[int, typer.Option("--3pl-port", help="0: any free port.")] =
        8803,
        seed: Annotated[int, typer.Option(help="Seed of every random choice.")] = 0,
        fault: Annotated[list[str] | None, typer.Option(
            help="SIMULATOR:SWITCH[:rate=..,count=..,path=..] e.g. otto:429:rate=0.1")] = None,
        sftp_dialect: Annotated[str, typer.Option(
            help="What the SFTP warehouse reads and writes: x12, edifact or csv.")] = "x12",
) -> None:
    """Serve the OTTO, Amazon, 3PL and SFTP simulators on loopback until Ctrl-C."""
    from marketdock.sandbox.serve import parse_fault_option, run_sandbox

    faults: dict[str, dict[str, Any]] = {}
    try:
        if sftp_dialect not in ("x12", "edifact", "csv"):
            raise ConfigError(f"--sftp-dialect {sftp_dialect!r}: write x12, edifact or csv")
        for option in fault or []:
            simulator, switch, spec = parse_fault_option(option)
            faults.setdefault(simulator, {})[switch] = spec
        run_sandbox(json_output=as_json, root=root, seed=seed, faults=faults,
                    file_dialect=sftp_dialect,  # type: ignore[arg-type]
                    ports={"otto": otto_port, "amazon": amazon_port, "3pl": threepl_port})
    except MarketdockError as exc:
        errors.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from exc


@app.command()
def demo(directory: Annotated[Path, typer.Option(help="Where the demo keeps its data.")] =
         Path("demo-data"),
         orders: Annotated[int, typer.Option(help="Orders to place, half on each "
                                                  "marketplace.")] = 40,
         warehouse: Annotated[str, typer.Option(
             help="How the warehouse is reached: rest, x12, edifact or csv.")] = "rest",
         faults: Annotated[list[str] | None, typer.Option(
             help="SIMULATOR:SWITCH[:rate=..,count=..,path=..], e.g. otto:5xx:rate=0.1; "
                  "simulators: otto, amazon, 3pl, sftp.")] = None,
         until_settled: Annotated[bool, typer.Option(
             help="Stop once every order has settled instead of serving on.")] = False,
         as_json: Annotated[bool, typer.Option(
             "--json", help="Print only one JSON object with the outcome.")] = False,
         seed: Annotated[int, typer.Option(help="Seed of the orders and the world.")] = 7,
         max_hours: Annotated[float, typer.Option(
             help="Simulated hours after which the run stops even if unsettled.")] = 72.0,
         port: Annotated[int, typer.Option(help="Port of the HTTP API afterwards.")] = 8800,
         ) -> None:
    """Simulated OTTO, Amazon and a 3PL with the hub on a fresh SQLite database: orders
    flow to the warehouse and back; then the API serves until Ctrl-C."""
    from marketdock.demo.run import Demo, DemoOptions

    if warehouse not in ("rest", "x12", "edifact", "csv"):
        errors.print(f"[red]error:[/red] --warehouse {warehouse!r}: write rest, x12, edifact "
                     "or csv")
        raise typer.Exit(2)
    configure_logging(level="critical" if as_json else "error")
    try:
        run = Demo(DemoOptions(directory=directory, orders=orders,
                               warehouse=warehouse,  # type: ignore[arg-type]
                               faults=list(faults or []), seed=seed, max_hours=max_hours))
    except MarketdockError as exc:
        errors.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    try:
        if as_json:
            outcome = run.run(until_settled=True)
            print(json.dumps(run.report(outcome)), flush=True)
            return
        outcome = _demo_with_progress(run)
        _print_outcome(run.report(outcome))
        if not until_settled:
            _serve_demo_api(run, port)
    finally:
        run.close()


def _demo_with_progress(run: Any) -> Any:
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console, transient=False) as progress:
        task = progress.add_task("starting", total=None)

        def show(outcome: Any) -> None:
            placed = sum(outcome.orders_placed.values())
            at = sum(outcome.orders_at_warehouse.values())
            shipped = sum(outcome.packages_shipped.values())
            confirmed = sum(outcome.packages_confirmed.values())
            progress.update(task, description=(
                f"{run.world.clock.now():%a %H:%M} simulated  orders placed {placed}, at "
                f"the warehouse {at}; packages shipped {shipped}, confirmed {confirmed}; "
                f"open exceptions {sum(outcome.open_exceptions.values())}"))

        return run.run(until_settled=True, progress=show)


def _print_outcome(report: dict[str, Any]) -> None:
    table = Table(title="marketdock demo", show_header=True)
    table.add_column("")
    table.add_column("OTTO", justify="right")
    table.add_column("Amazon", justify="right")
    for key in ("orders_placed", "orders_releasable", "orders_at_warehouse",
                "packages_shipped", "packages_confirmed"):
        table.add_row(key.replace("_", " "), str(report[key]["otto"]),
                      str(report[key]["amazon"]))
    console.print(table)
    console.print(f"warehouse ({report['warehouse']}) duplicates: "
                  f"{report['warehouse_duplicates']}, marketplace duplicates: "
                  f"{report['marketplace_duplicates']}, listings in drift: "
                  f"{report['listings_in_drift']}, open exceptions: "
                  f"{report['open_exceptions'] or 'none'}; {report['simulated_hours']} "
                  f"simulated hours in {report['wall_seconds']} s")


def _serve_demo_api(run: Any, port: int) -> None:
    import uvicorn

    from marketdock.api.app import create_app

    server = uvicorn.Server(uvicorn.Config(create_app(run.db, run.world.clock),
                                           host="127.0.0.1", port=port, log_level="warning"))
    console.print(f"the hub's API: http://127.0.0.1:{port}/status (also /exceptions, /jobs, "
                  "/metrics); Ctrl-C stops")
    with contextlib.suppress(KeyboardInterrupt):
        server.run()


def main(argv: list[str] | None = None) -> Any:
    return app(argv)
