"""moto's server with one test hook for EKS.

moto invents each cluster's API endpoint and CA. A cluster created with the tags
gatehouse.test/endpoint, gatehouse.test/ca (base64 PEM) and gatehouse.test/authentication-mode
gets those values instead, so an EKS cluster discovered through moto can point at the local
test cluster and the whole path (discover, connect, authenticate, list) runs for real.
Everything else is moto unchanged.
"""

import sys

from moto.eks import models
from moto.server import main

_original_init = models.Cluster.__init__


def _init(self, *args, **kwargs):
    _original_init(self, *args, **kwargs)
    tags = self.tags or {}
    if "gatehouse.test/endpoint" in tags:
        self.endpoint = tags["gatehouse.test/endpoint"]
    if "gatehouse.test/ca" in tags:
        self.certificate_authority = {"data": tags["gatehouse.test/ca"]}
    mode = tags.get("gatehouse.test/authentication-mode")
    if mode:
        self.access_config = {"authentication_mode": mode}


models.Cluster.__init__ = _init

if __name__ == "__main__":
    sys.exit(main())
