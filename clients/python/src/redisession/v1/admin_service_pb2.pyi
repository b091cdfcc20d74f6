import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class StoreStrategy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STORE_STRATEGY_UNSPECIFIED: _ClassVar[StoreStrategy]
    STORE_STRATEGY_STRING: _ClassVar[StoreStrategy]
    STORE_STRATEGY_HASH: _ClassVar[StoreStrategy]
STORE_STRATEGY_UNSPECIFIED: StoreStrategy
STORE_STRATEGY_STRING: StoreStrategy
STORE_STRATEGY_HASH: StoreStrategy

class PurgeExpiredRequest(_message.Message):
    __slots__ = ("store", "budget", "from_bucket")
    STORE_FIELD_NUMBER: _ClassVar[int]
    BUDGET_FIELD_NUMBER: _ClassVar[int]
    FROM_BUCKET_FIELD_NUMBER: _ClassVar[int]
    store: str
    budget: int
    from_bucket: int
    def __init__(self, store: _Optional[str] = ..., budget: _Optional[int] = ..., from_bucket: _Optional[int] = ...) -> None: ...

class PurgeExpiredResponse(_message.Message):
    __slots__ = ("applicable", "buckets_scanned", "fields_scanned", "fields_removed", "corrupt_fields", "next_bucket", "elapsed")
    APPLICABLE_FIELD_NUMBER: _ClassVar[int]
    BUCKETS_SCANNED_FIELD_NUMBER: _ClassVar[int]
    FIELDS_SCANNED_FIELD_NUMBER: _ClassVar[int]
    FIELDS_REMOVED_FIELD_NUMBER: _ClassVar[int]
    CORRUPT_FIELDS_FIELD_NUMBER: _ClassVar[int]
    NEXT_BUCKET_FIELD_NUMBER: _ClassVar[int]
    ELAPSED_FIELD_NUMBER: _ClassVar[int]
    applicable: bool
    buckets_scanned: int
    fields_scanned: int
    fields_removed: int
    corrupt_fields: int
    next_bucket: int
    elapsed: _duration_pb2.Duration
    def __init__(self, applicable: _Optional[bool] = ..., buckets_scanned: _Optional[int] = ..., fields_scanned: _Optional[int] = ..., fields_removed: _Optional[int] = ..., corrupt_fields: _Optional[int] = ..., next_bucket: _Optional[int] = ..., elapsed: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class GetStoreStatsRequest(_message.Message):
    __slots__ = ("store", "sample_size")
    STORE_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_SIZE_FIELD_NUMBER: _ClassVar[int]
    store: str
    sample_size: int
    def __init__(self, store: _Optional[str] = ..., sample_size: _Optional[int] = ...) -> None: ...

class GetStoreStatsResponse(_message.Message):
    __slots__ = ("store", "strategy", "sessions", "exact", "buckets", "encodings", "record_bytes", "listpack_limits", "memory", "advisories", "maxmemory_policy")
    class EncodingsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    STORE_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    EXACT_FIELD_NUMBER: _ClassVar[int]
    BUCKETS_FIELD_NUMBER: _ClassVar[int]
    ENCODINGS_FIELD_NUMBER: _ClassVar[int]
    RECORD_BYTES_FIELD_NUMBER: _ClassVar[int]
    LISTPACK_LIMITS_FIELD_NUMBER: _ClassVar[int]
    MEMORY_FIELD_NUMBER: _ClassVar[int]
    ADVISORIES_FIELD_NUMBER: _ClassVar[int]
    MAXMEMORY_POLICY_FIELD_NUMBER: _ClassVar[int]
    store: str
    strategy: StoreStrategy
    sessions: int
    exact: bool
    buckets: BucketFill
    encodings: _containers.ScalarMap[str, int]
    record_bytes: RecordSizes
    listpack_limits: ListpackLimits
    memory: MemoryEstimate
    advisories: _containers.RepeatedScalarFieldContainer[str]
    maxmemory_policy: str
    def __init__(self, store: _Optional[str] = ..., strategy: _Optional[_Union[StoreStrategy, str]] = ..., sessions: _Optional[int] = ..., exact: _Optional[bool] = ..., buckets: _Optional[_Union[BucketFill, _Mapping]] = ..., encodings: _Optional[_Mapping[str, int]] = ..., record_bytes: _Optional[_Union[RecordSizes, _Mapping]] = ..., listpack_limits: _Optional[_Union[ListpackLimits, _Mapping]] = ..., memory: _Optional[_Union[MemoryEstimate, _Mapping]] = ..., advisories: _Optional[_Iterable[str]] = ..., maxmemory_policy: _Optional[str] = ...) -> None: ...

class BucketFill(_message.Message):
    __slots__ = ("count", "scanned", "empty", "min", "mean", "max")
    COUNT_FIELD_NUMBER: _ClassVar[int]
    SCANNED_FIELD_NUMBER: _ClassVar[int]
    EMPTY_FIELD_NUMBER: _ClassVar[int]
    MIN_FIELD_NUMBER: _ClassVar[int]
    MEAN_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    count: int
    scanned: int
    empty: int
    min: int
    mean: float
    max: int
    def __init__(self, count: _Optional[int] = ..., scanned: _Optional[int] = ..., empty: _Optional[int] = ..., min: _Optional[int] = ..., mean: _Optional[float] = ..., max: _Optional[int] = ...) -> None: ...

class RecordSizes(_message.Message):
    __slots__ = ("sampled", "mean", "max")
    SAMPLED_FIELD_NUMBER: _ClassVar[int]
    MEAN_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    sampled: int
    mean: int
    max: int
    def __init__(self, sampled: _Optional[int] = ..., mean: _Optional[int] = ..., max: _Optional[int] = ...) -> None: ...

class ListpackLimits(_message.Message):
    __slots__ = ("entries", "value")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    entries: int
    value: int
    def __init__(self, entries: _Optional[int] = ..., value: _Optional[int] = ...) -> None: ...

class MemoryEstimate(_message.Message):
    __slots__ = ("sampled_keys", "bytes_per_session", "total_bytes")
    SAMPLED_KEYS_FIELD_NUMBER: _ClassVar[int]
    BYTES_PER_SESSION_FIELD_NUMBER: _ClassVar[int]
    TOTAL_BYTES_FIELD_NUMBER: _ClassVar[int]
    sampled_keys: int
    bytes_per_session: float
    total_bytes: int
    def __init__(self, sampled_keys: _Optional[int] = ..., bytes_per_session: _Optional[float] = ..., total_bytes: _Optional[int] = ...) -> None: ...

class ListStoresRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListStoresResponse(_message.Message):
    __slots__ = ("stores",)
    STORES_FIELD_NUMBER: _ClassVar[int]
    stores: _containers.RepeatedCompositeFieldContainer[StoreInfo]
    def __init__(self, stores: _Optional[_Iterable[_Union[StoreInfo, _Mapping]]] = ...) -> None: ...

class StoreInfo(_message.Message):
    __slots__ = ("name", "strategy", "prefix", "bucket_bits", "codec", "compress_min_bytes", "default_ttl", "max_ttl", "max_lifetime", "max_session_bytes", "redis", "redis_address", "max_data_depth", "request_id_ttl")
    NAME_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    PREFIX_FIELD_NUMBER: _ClassVar[int]
    BUCKET_BITS_FIELD_NUMBER: _ClassVar[int]
    CODEC_FIELD_NUMBER: _ClassVar[int]
    COMPRESS_MIN_BYTES_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_TTL_FIELD_NUMBER: _ClassVar[int]
    MAX_TTL_FIELD_NUMBER: _ClassVar[int]
    MAX_LIFETIME_FIELD_NUMBER: _ClassVar[int]
    MAX_SESSION_BYTES_FIELD_NUMBER: _ClassVar[int]
    REDIS_FIELD_NUMBER: _ClassVar[int]
    REDIS_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    MAX_DATA_DEPTH_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_TTL_FIELD_NUMBER: _ClassVar[int]
    name: str
    strategy: StoreStrategy
    prefix: str
    bucket_bits: int
    codec: str
    compress_min_bytes: int
    default_ttl: _duration_pb2.Duration
    max_ttl: _duration_pb2.Duration
    max_lifetime: _duration_pb2.Duration
    max_session_bytes: int
    redis: str
    redis_address: str
    max_data_depth: int
    request_id_ttl: _duration_pb2.Duration
    def __init__(self, name: _Optional[str] = ..., strategy: _Optional[_Union[StoreStrategy, str]] = ..., prefix: _Optional[str] = ..., bucket_bits: _Optional[int] = ..., codec: _Optional[str] = ..., compress_min_bytes: _Optional[int] = ..., default_ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., max_ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., max_lifetime: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., max_session_bytes: _Optional[int] = ..., redis: _Optional[str] = ..., redis_address: _Optional[str] = ..., max_data_depth: _Optional[int] = ..., request_id_ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...
