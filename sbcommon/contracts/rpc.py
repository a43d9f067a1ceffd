"""Typed clients: the RPCs of each service, with their contract types.

A caller reaches a service through a proxy whose type is one of these protocols (the gateway's
``Backends``), so a misspelt method or a wrong argument is caught by the type checker rather
than by a ``MethodNotFound`` at run time. On the wire everything is JSON: an argument typed
``Payload[M]`` is the model ``M`` (sent as its JSON form) or a dict of that shape, and a
result typed ``Reply[M]`` is a dict shaped like ``M``.
"""

from __future__ import annotations

from typing import Any, Generic, Protocol, TypeVar, Union

from pydantic import BaseModel

from .accounts import (
    Customer,
    CustomerCounts,
    CustomerCreate,
    CustomerPage,
    CustomerQuery,
    CustomerUpdate,
    ForgotRequest,
    LoginRequest,
    LoginResponse,
    PasswordChange,
    PasswordReset,
    PreferencesUpdate,
    SessionInfo,
)
from .exports import CsvPage
from .notifications import ExportQuery, MailLogPage, MailLogQuery, MessageRequest
from .numbering import (
    ImportReport,
    NumberAdd,
    NumberList,
    NumberPage,
    NumberQuery,
    NumberQuota,
    NumberQuotaSet,
    NumberRequest,
    PhoneNumber,
    PoolSettings,
)
from .provisioning import (
    Device,
    DeviceCreate,
    DeviceList,
    DeviceModelList,
    DeviceUpdate,
    ProvisioningInfo,
)
from .routing_policy import (
    AuthorizeQuery,
    Decision,
    DefaultUpdate,
    NumberTestQuery,
    PbxToken,
    PbxTokenCreate,
    PbxTokenCreated,
    PbxTokenList,
    Rule,
    RuleCreate,
    RuleList,
)

M = TypeVar("M", bound=BaseModel)

Payload = Union[M, dict[str, Any]]  # noqa: UP007  (a generic alias needs Union)
ActorRef = dict[str, Any]  # sbcommon.actor.Actor in its JSON form, as every RPC carries it


class Reply(dict[str, Any], Generic[M]):
    """A result: a dict shaped like the contract ``M`` (never an instance of this class)."""


class Health(Protocol):
    def health(self) -> dict[str, Any]: ...


class AccountsRpc(Health, Protocol):
    def login(self, credentials: Payload[LoginRequest], client_ip: str | None = None
              ) -> Reply[LoginResponse]: ...
    def authenticate(self, token: str) -> Reply[SessionInfo]: ...
    def logout(self, token: str) -> None: ...
    def change_password(self, token: str, payload: Payload[PasswordChange]) -> None: ...
    def request_password_reset(self, payload: Payload[ForgotRequest],
                               client_ip: str | None = None) -> None: ...
    def reset_password(self, payload: Payload[PasswordReset]) -> None: ...
    def set_preferences(self, actor: ActorRef, payload: Payload[PreferencesUpdate]
                        ) -> dict[str, Any]: ...
    def create_customer(self, actor: ActorRef, payload: Payload[CustomerCreate]
                        ) -> Reply[Customer]: ...
    def get_customer(self, actor: ActorRef, customer_id: str) -> Reply[Customer]: ...
    def update_customer(self, actor: ActorRef, customer_id: str,
                        payload: Payload[CustomerUpdate]) -> Reply[Customer]: ...
    def close_customer(self, actor: ActorRef, customer_id: str) -> Reply[Customer]: ...
    def reopen_customer(self, actor: ActorRef, customer_id: str) -> Reply[Customer]: ...
    def issue_access_codes(self, actor: ActorRef, customer_id: str) -> dict[str, Any]: ...
    def list_customers(self, actor: ActorRef, query: Payload[CustomerQuery] | None = None
                       ) -> Reply[CustomerPage]: ...
    def customer_counts(self, actor: ActorRef) -> Reply[CustomerCounts]: ...
    def export_customers(self, actor: ActorRef, query: Payload[CustomerQuery] | None,
                         chunk: int) -> dict[str, Any]: ...


class NumberingRpc(Health, Protocol):
    def add_number(self, actor: ActorRef, payload: Payload[NumberAdd]) -> Reply[PhoneNumber]: ...
    def list_numbers(self, actor: ActorRef, query: Payload[NumberQuery] | None = None
                     ) -> Reply[NumberPage]: ...
    def export_numbers(self, actor: ActorRef, query: Payload[NumberQuery] | None,
                       after: str | None = None) -> Reply[CsvPage]: ...
    def get_pool_settings(self, actor: ActorRef) -> Reply[PoolSettings]: ...
    def set_pool_settings(self, actor: ActorRef, payload: Payload[PoolSettings]
                          ) -> Reply[PoolSettings]: ...
    def start_import(self, actor: ActorRef, bytes_total: int | None = None) -> int: ...
    def feed_import(self, actor: ActorRef, import_id: int, first_line: int, data: str,
                    bytes_read: int) -> dict[str, int]: ...
    def finish_import(self, actor: ActorRef, import_id: int, failure: str | None = None
                      ) -> Reply[ImportReport]: ...
    def import_report(self, actor: ActorRef, import_id: int, with_rejections: bool = True
                      ) -> Reply[ImportReport]: ...
    def request_numbers(self, actor: ActorRef, customer_id: str, payload: Payload[NumberRequest]
                        ) -> Reply[NumberList]: ...
    def customer_numbers(self, actor: ActorRef, customer_id: str) -> Reply[NumberList]: ...
    def unassign_number(self, actor: ActorRef, customer_id: str, number: str
                        ) -> Reply[PhoneNumber]: ...
    def get_number_quota(self, actor: ActorRef, customer_id: str) -> Reply[NumberQuota]: ...
    def set_number_quota(self, actor: ActorRef, customer_id: str,
                         payload: Payload[NumberQuotaSet]) -> Reply[NumberQuota]: ...


class RoutingPolicyRpc(Health, Protocol):
    def echo(self, payload: Any = None, token: str | None = None) -> Any: ...
    def authorize(self, token: str | None, query: Payload[AuthorizeQuery]) -> Reply[Decision]: ...
    def test_number(self, actor: ActorRef, customer_id: str, query: Payload[NumberTestQuery]
                    ) -> Reply[Decision]: ...
    def list_rules(self, actor: ActorRef, customer_id: str | None = None) -> Reply[RuleList]: ...
    def create_rule(self, actor: ActorRef, payload: Payload[RuleCreate],
                    customer_id: str | None = None) -> Reply[Rule]: ...
    def delete_rule(self, actor: ActorRef, rule_id: str, customer_id: str | None = None
                    ) -> None: ...
    def set_default(self, actor: ActorRef, payload: Payload[DefaultUpdate]) -> dict[str, Any]: ...
    def create_pbx_token(self, actor: ActorRef, payload: Payload[PbxTokenCreate]
                         ) -> Reply[PbxTokenCreated]: ...
    def list_pbx_tokens(self, actor: ActorRef) -> Reply[PbxTokenList]: ...
    def revoke_pbx_token(self, actor: ActorRef, token_id: str) -> Reply[PbxToken]: ...


class ProvisioningRpc(Health, Protocol):
    def list_models(self) -> Reply[DeviceModelList]: ...
    def list_devices(self, actor: ActorRef, customer_id: str) -> Reply[DeviceList]: ...
    def get_device(self, actor: ActorRef, customer_id: str, device_id: str) -> Reply[Device]: ...
    def create_device(self, actor: ActorRef, customer_id: str, payload: Payload[DeviceCreate]
                      ) -> Reply[Device]: ...
    def update_device(self, actor: ActorRef, customer_id: str, device_id: str,
                      payload: Payload[DeviceUpdate]) -> Reply[Device]: ...
    def delete_device(self, actor: ActorRef, customer_id: str, device_id: str) -> None: ...
    def get_provisioning(self, actor: ActorRef, customer_id: str
                         ) -> Reply[ProvisioningInfo]: ...
    def rotate_provisioning(self, actor: ActorRef, customer_id: str
                            ) -> Reply[ProvisioningInfo]: ...


class NotificationsRpc(Health, Protocol):
    def send_message(self, actor: ActorRef, customer_id: str, payload: Payload[MessageRequest]
                     ) -> dict[str, Any]: ...
    def send_statement(self, actor: ActorRef, customer_id: str) -> dict[str, Any]: ...
    def list_mail(self, actor: ActorRef, query: Payload[MailLogQuery] | None = None
                  ) -> Reply[MailLogPage]: ...
    def export_csv_page(self, actor: ActorRef, query: Payload[ExportQuery], page: int,
                        language: str) -> Reply[CsvPage]: ...
    def export_pdf(self, actor: ActorRef, query: Payload[ExportQuery], language: str
                   ) -> dict[str, Any]: ...


def rpc_proxy(service: str) -> Any:
    """A nameko ``RpcProxy`` to ``service``, to declare with its protocol so that calls
    through it are type-checked: ``accounts: AccountsRpc = rpc_proxy("accounts")`` in a
    service class (nameko still finds the dependency provider it injects)."""
    from nameko.rpc import RpcProxy

    return RpcProxy(service)
