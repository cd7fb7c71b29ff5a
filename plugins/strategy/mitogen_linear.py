"""Mitogen's linear strategy, loaded from the installed ``mitogen`` package (pyproject.toml).

ansible.cfg names this folder in ``strategy_plugins`` so that the strategy is found wherever the
virtual environment is: Mitogen's own plug-in folder lives inside site-packages, whose path differs
from machine to machine. Under this strategy, hosts reached by the short connection names ``docker``
and ``ssh`` keep one Python interpreter for the whole run instead of starting one per task;
``ANSIBLE_STRATEGY=linear`` runs stock Ansible (docs/performance.md, "Mitogen").

Tasks on the control node itself (``connection: local``, ``delegate_to: localhost``) stay with stock
Ansible: Mitogen gains little there, and its way of running ``async`` tasks locally never finishes the
Docker SDK's calls (molecule's create and destroy playbooks wait on them forever).
"""

from __future__ import annotations

import ansible_mitogen.loaders
import ansible_mitogen.strategy

ansible_mitogen.strategy.REDIRECTED_CONNECTION_PLUGINS = tuple(
    name for name in ansible_mitogen.strategy.REDIRECTED_CONNECTION_PLUGINS if name != "local"
)

Base = ansible_mitogen.loaders.strategy_loader.get("linear", class_only=True)


class StrategyModule(ansible_mitogen.strategy.StrategyMixin, Base):  # type: ignore[misc,valid-type]
    """Ansible's linear strategy with Mitogen's connection and module runner."""
