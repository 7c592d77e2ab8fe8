"""The conversation flows, behind one protocol (:class:`bot.flows.base.Flow`).

    general   welcome, menu, help, /cancel; what is not a question        general.py
    answer    questions answered from the FAQ and the brand's policy        answer.py, situational.py
    walk      guided troubleshooting through a tree                        walk.py
    rma       repair requests: collecting, filing, following; staff side   rma/
    handoff   a human consultant: tickets, relays, the staff chat           handoff/
    admin     FAQ changes, the unanswered inbox, statistics                 admin/

Each owns its commands, its button-data prefixes and its part of the typed state (:mod:`.state`).
"""
