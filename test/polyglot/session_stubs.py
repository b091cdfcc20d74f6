"""What the polyglot test scripts share: a channel to the service, one callable per RPC, Struct from a dict.

Calls go through the generic channel.unary_unary with the message classes protoc --python_out made (no gRPC
plugin): `pb` is the generated redisession.v1.session_service_pb2 module.
"""

import grpc
from google.protobuf.struct_pb2 import Struct

SERVICE = "/redisession.v1.SessionService/"


def open_channel(address, timeout):
    """A channel to the server at HOST:PORT, connected within `timeout` seconds (grpc.FutureTimeoutError if not)."""
    # No proxy: the server is on loopback, and CI machines often set http_proxy.
    channel = grpc.insecure_channel(address, options=[("grpc.enable_http_proxy", 0)])
    try:
        grpc.channel_ready_future(channel).result(timeout=timeout)
    except grpc.FutureTimeoutError:
        channel.close()
        raise
    return channel


class SessionService:
    """One callable per RPC, made with channel.unary_unary from the generated message classes."""

    def __init__(self, channel, pb):
        def method(name):
            request_class = getattr(pb, f"{name}Request")
            response_class = getattr(pb, f"{name}Response")
            return channel.unary_unary(
                SERVICE + name,
                request_serializer=request_class.SerializeToString,
                response_deserializer=response_class.FromString,
            )

        self.create = method("CreateSession")
        self.get = method("GetSession")
        self.batch_get = method("BatchGetSessions")
        self.save = method("SaveSession")
        self.touch = method("TouchSession")
        self.delete = method("DeleteSession")
        self.rotate = method("RotateSessionKey")


def to_struct(data):
    """A google.protobuf.Struct holding the dict `data`."""
    struct = Struct()
    struct.update(data)
    return struct
