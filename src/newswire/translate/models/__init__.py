"""Translation models installed into the data folder (`newswire translate install|list|remove`).

* `layout`: where models live (`firefox_models_dir`, `argos_models_dir`), the Firefox manifest,
  staging folders and the rename that puts a verified model in place;
* `index_firefox`: the Firefox Translations registry (Remote Settings records, read with
  `fxtranslate.discovery`); `firefox_files`: a model given directly with `--from`;
* `index_argos`: the Argos Translate package index and `.argosmodel` packages;
* `fetch`: URLs (httpx) and local files, with errors that name the problem;
* `install`: `install`, `install_all`, `list_installed`, `remove`.

Design: docs/translate.md ("Installing models").
"""

from newswire.translate.models.install import (
    InstalledModel,
    install,
    install_all,
    list_installed,
    remove,
)
from newswire.translate.models.layout import (
    ModelInstallError,
    argos_models_dir,
    firefox_models_dir,
)

__all__ = [
    "InstalledModel",
    "ModelInstallError",
    "argos_models_dir",
    "firefox_models_dir",
    "install",
    "install_all",
    "list_installed",
    "remove",
]
