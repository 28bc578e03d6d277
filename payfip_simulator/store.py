"""The simulator's in-memory state: operations, behaviour switches, notifications.

One process (gunicorn -w 1 --threads N), so a lock is enough. It stands in for an
external service: it knows nothing of our database."""

import random
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


@dataclass
class Behaviour:
    """What the control endpoint can change (all off by default)."""

    drop_rate: float = 0.0  # notifications never sent
    duplicate_rate: float = 0.0  # sent twice
    corrupt_rate: float = 0.0  # sent with a wrong idop
    delay_s: float = 0.0  # sent after this delay
    refuse: bool = False  # "Payer" ends refused (R)
    timeout_s: float = 0.0  # SOAP answers wait this long
    create_fault: str = ""  # creerPaiementSecurise answers this fault code
    detail_fault: str = ""  # recupererDetailPaiementSecurise answers this fault code
    deliver: str = "http"  # "http": POST to urlnotif; "queue": keep for GET /control/notifications
    seed: str = "payfip"

    def update(self, values: dict[str, Any]) -> None:
        for key, value in values.items():
            if key not in self.__dataclass_fields__:
                raise KeyError(key)
            current = getattr(self, key)
            setattr(self, key, type(current)(value))


@dataclass
class Operation:
    id_op: str
    fields: dict[str, str]
    created: float
    result: str = ""  # "" until the payer acts: P, R, A (V/Z: SEPA, settable)
    dattrans: str = ""
    heurtrans: str = ""
    numauto: str = ""
    montant_override: str = ""

    def detail(self) -> dict[str, str]:
        answer = {k: self.fields.get(k, "") for k in
                  ("numcli", "exer", "refdet", "objet", "mel", "saisie")}
        answer.update(idOp=self.id_op, montant=self.montant_override
                      or self.fields.get("montant", ""), dattrans=self.dattrans,
                      heurtrans=self.heurtrans, numauto=self.numauto,
                      resultrans=self.result)
        return answer


@dataclass
class Store:
    behaviour: Behaviour = field(default_factory=Behaviour)
    operations: dict[str, Operation] = field(default_factory=dict)
    queued: list[dict[str, str]] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, key: str, n: int = 1) -> None:
        self.counters[key] = self.counters.get(key, 0) + n

    def reset(self) -> None:
        with self.lock:
            self.behaviour = Behaviour()
            self.operations.clear()
            self.queued.clear()
            self.counters.clear()

    def create(self, fields: dict[str, str]) -> Operation:
        with self.lock:
            operation = Operation(id_op=uuid.uuid4().hex, fields=dict(fields),
                                  created=time.time())
            self.operations[operation.id_op] = operation
            self.count("created")
            return operation

    def get(self, id_op: str) -> Operation | None:
        with self.lock:
            return self.operations.get(id_op)

    def settle(self, id_op: str, action: str) -> Operation | None:
        """The payer's choice on the payment page: payer, refuser or abandonner."""
        with self.lock:
            operation = self.operations.get(id_op)
            if operation is None or operation.result:
                return operation
            if action == "payer":
                operation.result = "R" if self.behaviour.refuse else "P"
            elif action == "refuser":
                operation.result = "R"
            else:
                operation.result = "A"
            now = datetime.now(PARIS)
            operation.dattrans = now.strftime("%d%m%Y")
            operation.heurtrans = now.strftime("%H%M")
            if operation.result == "P":
                operation.numauto = f"{random.randint(0, 999999):06d}"  # noqa: S311
            self.count(f"result_{operation.result}")
            return operation

    def fate(self, id_op: str) -> dict[str, bool]:
        """Deterministic per idOp: whether its notification is dropped, doubled or
        corrupted (same seed, same idOp, same fate)."""
        rng = random.Random(f"{self.behaviour.seed}:{id_op}")  # noqa: S311
        b = self.behaviour
        return {"drop": rng.random() < b.drop_rate, "duplicate": rng.random() < b.duplicate_rate,
                "corrupt": rng.random() < b.corrupt_rate}

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {"behaviour": asdict(self.behaviour), "counters": dict(self.counters),
                    "operations": len(self.operations), "queued": len(self.queued)}
