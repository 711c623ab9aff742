"""A wand in software: the simulated device (``device.py``: real recordings replayed
through the firmware's twin, ``wand.wand_core``) and a bumble GATT peripheral that serves
it over BLE (``peripheral.py``)."""
