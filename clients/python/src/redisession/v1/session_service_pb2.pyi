import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DataFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DATA_FORMAT_UNSPECIFIED: _ClassVar[DataFormat]
    DATA_FORMAT_STRUCT: _ClassVar[DataFormat]
    DATA_FORMAT_JSON: _ClassVar[DataFormat]

class SaveCondition(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SAVE_CONDITION_UNSPECIFIED: _ClassVar[SaveCondition]
    SAVE_CONDITION_MUST_CREATE: _ClassVar[SaveCondition]
    SAVE_CONDITION_MUST_EXIST: _ClassVar[SaveCondition]
    SAVE_CONDITION_EXPECTED_VERSION: _ClassVar[SaveCondition]
DATA_FORMAT_UNSPECIFIED: DataFormat
DATA_FORMAT_STRUCT: DataFormat
DATA_FORMAT_JSON: DataFormat
SAVE_CONDITION_UNSPECIFIED: SaveCondition
SAVE_CONDITION_MUST_CREATE: SaveCondition
SAVE_CONDITION_MUST_EXIST: SaveCondition
SAVE_CONDITION_EXPECTED_VERSION: SaveCondition

class Session(_message.Message):
    __slots__ = ("key", "data", "data_json", "version", "create_time", "expire_time", "idle_ttl")
    KEY_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    DATA_JSON_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    IDLE_TTL_FIELD_NUMBER: _ClassVar[int]
    key: str
    data: _struct_pb2.Struct
    data_json: str
    version: int
    create_time: _timestamp_pb2.Timestamp
    expire_time: _timestamp_pb2.Timestamp
    idle_ttl: _duration_pb2.Duration
    def __init__(self, key: _Optional[str] = ..., data: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., data_json: _Optional[str] = ..., version: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., idle_ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class SessionInfo(_message.Message):
    __slots__ = ("key", "version", "create_time", "expire_time", "idle_ttl")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    IDLE_TTL_FIELD_NUMBER: _ClassVar[int]
    key: str
    version: int
    create_time: _timestamp_pb2.Timestamp
    expire_time: _timestamp_pb2.Timestamp
    idle_ttl: _duration_pb2.Duration
    def __init__(self, key: _Optional[str] = ..., version: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., idle_ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class CreateSessionRequest(_message.Message):
    __slots__ = ("store", "data", "data_json", "idle_ttl", "request_id")
    STORE_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    DATA_JSON_FIELD_NUMBER: _ClassVar[int]
    IDLE_TTL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    store: str
    data: _struct_pb2.Struct
    data_json: str
    idle_ttl: _duration_pb2.Duration
    request_id: str
    def __init__(self, store: _Optional[str] = ..., data: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., data_json: _Optional[str] = ..., idle_ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateSessionResponse(_message.Message):
    __slots__ = ("session",)
    SESSION_FIELD_NUMBER: _ClassVar[int]
    session: SessionInfo
    def __init__(self, session: _Optional[_Union[SessionInfo, _Mapping]] = ...) -> None: ...

class GetSessionRequest(_message.Message):
    __slots__ = ("store", "key", "touch", "idle_ttl", "data_format")
    STORE_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    TOUCH_FIELD_NUMBER: _ClassVar[int]
    IDLE_TTL_FIELD_NUMBER: _ClassVar[int]
    DATA_FORMAT_FIELD_NUMBER: _ClassVar[int]
    store: str
    key: str
    touch: bool
    idle_ttl: _duration_pb2.Duration
    data_format: DataFormat
    def __init__(self, store: _Optional[str] = ..., key: _Optional[str] = ..., touch: _Optional[bool] = ..., idle_ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., data_format: _Optional[_Union[DataFormat, str]] = ...) -> None: ...

class GetSessionResponse(_message.Message):
    __slots__ = ("session",)
    SESSION_FIELD_NUMBER: _ClassVar[int]
    session: Session
    def __init__(self, session: _Optional[_Union[Session, _Mapping]] = ...) -> None: ...

class BatchGetSessionsRequest(_message.Message):
    __slots__ = ("store", "keys", "data_format")
    STORE_FIELD_NUMBER: _ClassVar[int]
    KEYS_FIELD_NUMBER: _ClassVar[int]
    DATA_FORMAT_FIELD_NUMBER: _ClassVar[int]
    store: str
    keys: _containers.RepeatedScalarFieldContainer[str]
    data_format: DataFormat
    def __init__(self, store: _Optional[str] = ..., keys: _Optional[_Iterable[str]] = ..., data_format: _Optional[_Union[DataFormat, str]] = ...) -> None: ...

class BatchGetSessionsResponse(_message.Message):
    __slots__ = ("sessions", "missing_keys", "corrupt_keys")
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    MISSING_KEYS_FIELD_NUMBER: _ClassVar[int]
    CORRUPT_KEYS_FIELD_NUMBER: _ClassVar[int]
    sessions: _containers.RepeatedCompositeFieldContainer[Session]
    missing_keys: _containers.RepeatedScalarFieldContainer[str]
    corrupt_keys: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, sessions: _Optional[_Iterable[_Union[Session, _Mapping]]] = ..., missing_keys: _Optional[_Iterable[str]] = ..., corrupt_keys: _Optional[_Iterable[str]] = ...) -> None: ...

class SaveSessionRequest(_message.Message):
    __slots__ = ("store", "key", "data", "data_json", "idle_ttl", "condition", "expected_version")
    STORE_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    DATA_JSON_FIELD_NUMBER: _ClassVar[int]
    IDLE_TTL_FIELD_NUMBER: _ClassVar[int]
    CONDITION_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    store: str
    key: str
    data: _struct_pb2.Struct
    data_json: str
    idle_ttl: _duration_pb2.Duration
    condition: SaveCondition
    expected_version: int
    def __init__(self, store: _Optional[str] = ..., key: _Optional[str] = ..., data: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., data_json: _Optional[str] = ..., idle_ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., condition: _Optional[_Union[SaveCondition, str]] = ..., expected_version: _Optional[int] = ...) -> None: ...

class SaveSessionResponse(_message.Message):
    __slots__ = ("session",)
    SESSION_FIELD_NUMBER: _ClassVar[int]
    session: SessionInfo
    def __init__(self, session: _Optional[_Union[SessionInfo, _Mapping]] = ...) -> None: ...

class TouchSessionRequest(_message.Message):
    __slots__ = ("store", "key", "idle_ttl")
    STORE_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    IDLE_TTL_FIELD_NUMBER: _ClassVar[int]
    store: str
    key: str
    idle_ttl: _duration_pb2.Duration
    def __init__(self, store: _Optional[str] = ..., key: _Optional[str] = ..., idle_ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class TouchSessionResponse(_message.Message):
    __slots__ = ("session",)
    SESSION_FIELD_NUMBER: _ClassVar[int]
    session: SessionInfo
    def __init__(self, session: _Optional[_Union[SessionInfo, _Mapping]] = ...) -> None: ...

class DeleteSessionRequest(_message.Message):
    __slots__ = ("store", "key")
    STORE_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    store: str
    key: str
    def __init__(self, store: _Optional[str] = ..., key: _Optional[str] = ...) -> None: ...

class DeleteSessionResponse(_message.Message):
    __slots__ = ("existed",)
    EXISTED_FIELD_NUMBER: _ClassVar[int]
    existed: bool
    def __init__(self, existed: _Optional[bool] = ...) -> None: ...

class RotateSessionKeyRequest(_message.Message):
    __slots__ = ("store", "key", "data_format", "request_id")
    STORE_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    DATA_FORMAT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    store: str
    key: str
    data_format: DataFormat
    request_id: str
    def __init__(self, store: _Optional[str] = ..., key: _Optional[str] = ..., data_format: _Optional[_Union[DataFormat, str]] = ..., request_id: _Optional[str] = ...) -> None: ...

class RotateSessionKeyResponse(_message.Message):
    __slots__ = ("session",)
    SESSION_FIELD_NUMBER: _ClassVar[int]
    session: Session
    def __init__(self, session: _Optional[_Union[Session, _Mapping]] = ...) -> None: ...
